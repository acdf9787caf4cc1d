"""External dependencies of the libraries, detected once per build (toolchain/)."""

from __future__ import annotations

from typing import Callable

from sffi.errors import SffiError


class Dependencies:
    """Detects each library's ``[[dependency]]`` entries once and remembers the outcome.

    Args:
        find: ``toolchain.find(kind, name, prefer_static, install) -> Found``,
            raising ``toolchain.DependencyMissing`` (an SffiError) when absent.
            Tests pass their own.
        log: called with one line per dependency found (the ``DEP`` progress line).
    """

    def __init__(self, find: Callable, log: Callable[[str], None] = print):
        self._find, self._log = find, log
        self._detected: dict[str, tuple[list, list[str]]] = {}

    def detect(self, m) -> tuple[list, list[str]]:
        """(Found per dependency found, one message per missing one) for manifest ``m``."""
        if m.name not in self._detected:
            found, problems = [], []
            for dep in m.dependencies:
                try:
                    f = self._find(dep.kind, dep.name, m.prefer_static, dep.install)
                except SffiError as exc:  # toolchain.DependencyMissing
                    problems.append(str(exc))
                    continue
                found.append(f)
                self._log(f"  DEP     {m.name}: {f.summary()}")
            self._detected[m.name] = (found, problems)
        return self._detected[m.name]

    def found(self, m) -> list:
        """The Found settings of ``m``'s dependencies (those found)."""
        return self.detect(m)[0]

    def problems(self, m) -> list[str]:
        """What is missing for ``m`` (empty: everything was found)."""
        return self.detect(m)[1]

    def require(self, manifests: list) -> None:
        """Stop before anything compiles when a dependency of ``manifests`` is missing.

        Raises:
            SffiError: every missing dependency, each with the library that
                needs it and the install command (``scons`` exits 2 on it).
        """
        missing = [f"library '{m.name}' needs {p}" for m in manifests for p in self.problems(m)]
        if missing:
            raise SffiError("\n".join(missing) + "\nnothing was compiled.")
