"""External dependencies of the libraries, detected once per build (sffi.toolchain)."""

from __future__ import annotations

import concurrent.futures
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
        self._pending: dict[str, tuple[concurrent.futures.Future, list[str]]] = {}

    def detect(self, m) -> tuple[list, list[str]]:
        """(Found per dependency found, one message per missing one) for manifest ``m``."""
        if m.name not in self._detected:
            future, lines = self._pending.pop(m.name, (None, []))
            self._detected[m.name] = future.result() if future else self._detect_quietly(m, lines)
            for line in lines:
                self._log(line)
        return self._detected[m.name]

    def start(self, manifests: list) -> None:
        """Begin detecting the dependencies of ``manifests`` in the background, side by side
        (detectors mostly wait on pkg-config and readelf processes), while the caller goes
        on planning; :meth:`detect` waits for each. The ``DEP`` lines come as each is asked for."""
        todo = [m for m in manifests if m.name not in self._detected and m.name not in self._pending
                and m.dependencies]
        if not todo:
            return
        pool = concurrent.futures.ThreadPoolExecutor(len(todo))
        for m in todo:
            lines: list[str] = []
            self._pending[m.name] = (pool.submit(self._detect_quietly, m, lines), lines)
        pool.shutdown(wait=False)

    def detect_all(self, manifests: list) -> None:
        """Detect the dependencies of several libraries side by side, in manifest order."""
        self.start(manifests)
        for m in manifests:
            self.detect(m)

    def _detect_quietly(self, m, lines: list[str]) -> tuple[list, list[str]]:
        found, problems = [], []
        for dep in m.dependencies:
            try:
                f = self._find(dep.kind, dep.name, m.prefer_static, dep.install)
            except SffiError as exc:  # toolchain.DependencyMissing
                problems.append(str(exc))
                continue
            found.append(f)
            lines.append(f"  DEP     {m.name}: {f.summary()}")
        return found, problems

    def found(self, m) -> list:
        """The Found settings of ``m``'s dependencies (those found)."""
        return self.detect(m)[0]

    def problems(self, m) -> list[str]:
        """What is missing for ``m`` (empty: everything was found)."""
        return self.detect(m)[1]

    def fingerprint(self, manifests: list) -> list[str]:
        """Everything the build takes from the dependencies of ``manifests``, one line per
        library (the ``repr`` of its Found settings and problems): part of the up-to-date
        record's key (sffi.plan.uptodate)."""
        return [f"{m.name}: {self.detect(m)!r}" for m in manifests]

    def require(self, manifests: list) -> None:
        """Stop before anything compiles when a dependency of ``manifests`` is missing.

        Raises:
            SffiError: every missing dependency, each with the library that
                needs it and the install command (``scons`` exits 2 on it).
        """
        self.detect_all(manifests)
        missing = [f"library '{m.name}' needs {p}" for m in manifests for p in self.problems(m)]
        if missing:
            raise SffiError("\n".join(missing) + "\nnothing was compiled.")
