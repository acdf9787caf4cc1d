"""What every detector shares: :class:`Found`, :class:`DependencyMissing` and pkg-config queries
(their answers kept between scons runs by :mod:`sffi.toolchain.runcache`). The package
(:mod:`sffi.toolchain`) re-exports them with :func:`sffi.toolchain.find`; detectors import them
from here, so that no detector imports the package that imports it."""

from __future__ import annotations

import dataclasses
import shutil

from sffi.errors import EXIT_ERROR, SffiError
from sffi.toolchain import runcache


class DependencyMissing(SffiError):
    """An external dependency is not installed (an SffiError: exit status 1, as every
    toolkit error; the build reports it before compiling and exits 2 as for bad usage).

    Attributes:
        name: the dependency, e.g. ``"libtorch"`` or ``"sqlite3"``.
        reason: what was looked for and not found (one line).
        install: the command that installs it, from the manifest or the detector.
    """

    def __init__(self, name: str, reason: str, install: str = ""):
        self.name, self.reason, self.install = name, reason, install
        hint = f"; install it with: {install}" if install else ""
        super().__init__(f"missing dependency '{name}': {reason}{hint}", status=EXIT_ERROR)


@dataclasses.dataclass
class Found:
    """Compile and link settings for one external dependency.

    Paths are absolute strings. ``libs`` are names for ``-l`` (no ``lib``
    prefix), ``static_archives`` absolute paths of ``.a`` files linked instead
    of the matching shared libraries, ``rpath`` directories recorded in the
    runtime with ``-Wl,-rpath``. ``origin`` says where it was found (for the
    build log), ``linkage`` is ``"static"`` or ``"shared"``.
    """

    name: str
    version: str = ""
    origin: str = ""
    linkage: str = "shared"
    cpppath: list[str] = dataclasses.field(default_factory=list)
    cppdefines: list[str] = dataclasses.field(default_factory=list)
    ccflags: list[str] = dataclasses.field(default_factory=list)
    cxxflags: list[str] = dataclasses.field(default_factory=list)
    libpath: list[str] = dataclasses.field(default_factory=list)
    libs: list[str] = dataclasses.field(default_factory=list)
    static_archives: list[str] = dataclasses.field(default_factory=list)
    rpath: list[str] = dataclasses.field(default_factory=list)
    linkflags: list[str] = dataclasses.field(default_factory=list)

    def summary(self) -> str:
        """One line for the build log: name, version, origin and linkage."""
        version = f" {self.version}" if self.version else ""
        return f"{self.name}{version} ({self.linkage}, from {self.origin})"


def unique(items: list[str]) -> list[str]:
    """``items`` without repeats, first occurrences kept in order."""
    return list(dict.fromkeys(items))


def pkg_config(package: str, *args: str) -> str:
    """Run ``pkg-config ARGS PACKAGE`` and return its stripped stdout.

    Raises:
        DependencyMissing: pkg-config itself is missing, or it does not know
            ``package`` (its own message is kept as the reason).
    """
    return pkg_config_all(package, args)[0]


def pkg_config_all(package: str, *queries: tuple[str, ...], optional: tuple[int, ...] = ()) -> list:
    """Several ``pkg-config ARGS PACKAGE`` at once (one process each, run side by side:
    detection runs in every scons run; their answers are kept between runs while no ``.pc``
    file changes: toolchain.runcache); their stripped outputs, in query order.

    Args:
        optional: indices of queries whose failure gives None instead of an error.
    Raises:
        DependencyMissing: as :func:`pkg_config`, for the first other query that fails.
    """
    if shutil.which("pkg-config") is None:
        raise DependencyMissing("pkg-config", "the pkg-config program is not on PATH",
                                "apt-get install pkg-config")
    outputs = runcache.run_all([["pkg-config", *args, package] for args in queries])  # cached between runs
    for i, (code, _, err) in enumerate(outputs):
        if code != 0 and i not in optional:
            reason = err.strip().splitlines()[0] if err.strip() else "not found"
            raise DependencyMissing(package, f"pkg-config: {reason}")
    return [out.strip() if code == 0 else None for code, out, _ in outputs]
