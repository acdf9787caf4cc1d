"""toolchain/pkgconfig.py: the generic pkg-config detector (no build needed)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from sffi.toolchain import DependencyMissing, find
from sffi.toolchain import pkgconfig

needs_pkg_config = pytest.mark.skipif(shutil.which("pkg-config") is None, reason="pkg-config is not installed")


def _known(package: str) -> bool:
    return shutil.which("pkg-config") is not None and subprocess.run(
        ["pkg-config", "--exists", package]).returncode == 0


def test_split_cflags():
    cpppath, defines, flags = pkgconfig.split_cflags("-I/a -I /b -DX -DY=2 -pthread -isystem /c -I/a")
    assert cpppath == ["/a", "/b"]
    assert defines == ["X", "Y=2"]
    assert flags == ["-pthread", "-isystem", "/c"]


def test_split_libs():
    libpath, libs, flags = pkgconfig.split_libs("-L/opt/x/lib -lfoo -lm -lz -lm -pthread -Wl,--as-needed")
    assert libpath == ["/opt/x/lib"]
    assert libs == ["foo", "m", "z"]
    assert flags == ["-pthread", "-Wl,--as-needed"]


def test_needs_rpath_skips_system_dirs():
    assert pkgconfig.needs_rpath(["/usr/lib", "/opt/x/lib"]) == ["/opt/x/lib"]


@needs_pkg_config
def test_unknown_package_is_missing():
    with pytest.raises(DependencyMissing) as info:
        pkgconfig.detect("sffi-no-such-package", prefer_static=True)
    assert info.value.name == "sffi-no-such-package"
    with pytest.raises(DependencyMissing) as info:
        find("pkg-config", "sffi-no-such-package", True, install="apt-get install nothing")
    assert info.value.install == "apt-get install nothing"


@pytest.mark.skipif(not _known("sqlite3"), reason="pkg-config does not know sqlite3")
def test_sqlite3_without_its_archive_links_shared(monkeypatch):
    """prefer_static without libsqlite3.a: shared linkage, and the origin says which archive is missing."""
    monkeypatch.setattr(pkgconfig, "find_archive", lambda name, dirs: None)
    static = pkgconfig.detect("sqlite3", prefer_static=True)
    assert static.linkage == "shared" and "sqlite3" in static.libs and not static.static_archives
    assert static.origin.endswith(", shared (no libsqlite3.a)")


@pytest.mark.skipif(not _known("sqlite3"), reason="pkg-config does not know sqlite3")
def test_sqlite3_static_and_shared():
    shared = pkgconfig.detect("sqlite3", prefer_static=False)
    assert shared.linkage == "shared" and "sqlite3" in shared.libs and not shared.static_archives
    assert shared.version

    libdir = subprocess.run(["pkg-config", "--variable=libdir", "sqlite3"], capture_output=True,
                            text=True).stdout.strip()
    dirs = pkgconfig.library_dirs([], libdir)
    if not any(os.path.isfile(os.path.join(d, "libsqlite3.a")) for d in dirs):
        pytest.skip("libsqlite3.a is not installed (Debian's libsqlite3-dev ships it)")
    static = pkgconfig.detect("sqlite3", prefer_static=True)
    assert static.linkage == "static"
    assert [os.path.basename(a) for a in static.static_archives] == ["libsqlite3.a"]
    assert "sqlite3" not in static.libs
    private = subprocess.run(["pkg-config", "--static", "--libs-only-l", "sqlite3"], capture_output=True,
                             text=True).stdout.split()
    assert static.libs == [p[2:] for p in dict.fromkeys(private) if p != "-lsqlite3"]
