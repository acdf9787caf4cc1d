"""Detection of external dependencies (libtorch, OpenCV, SQLite, ...).

A manifest's ``[[dependency]]`` entry names either a pkg-config package or a
detector: a module ``sffi/toolchain/<name>.py`` that defines ``detect(prefer_static)
-> Found`` and raises :class:`DependencyMissing` when the dependency is absent.
The build calls :func:`find` before compiling anything, so a missing
dependency is reported with its name and the command that installs it, never
as a compiler or linker error.
"""

from __future__ import annotations

import importlib

from sffi.toolchain.base import DependencyMissing, Found, pkg_config, pkg_config_all, unique

__all__ = ["DependencyMissing", "Found", "find", "pkg_config", "pkg_config_all", "unique"]


def find(kind: str, name: str, prefer_static: bool, install: str = "") -> Found:
    """Find one dependency named by a manifest.

    Args:
        kind: ``"pkg-config"`` or ``"detector"``.
        name: the pkg-config package or the detector module (``sffi/toolchain/<name>.py``).
        prefer_static: link static archives where they exist.
        install: the manifest's install command, added to a DependencyMissing.

    Raises:
        DependencyMissing: not found (with ``install`` filled in when the
            detector gave none).
    """
    try:
        if kind == "detector":
            module = importlib.import_module(f"sffi.toolchain.{name}")
            return module.detect(prefer_static)
        from sffi.toolchain import pkgconfig
        return pkgconfig.detect(name, prefer_static)
    except DependencyMissing as exc:
        if install and not exc.install:
            raise DependencyMissing(exc.name, exc.reason, install) from None
        raise
