"""Generic pkg-config detector: ``[[dependency]] pkg-config = "sqlite3"``.

:func:`detect` turns ``pkg-config --cflags/--libs PACKAGE`` into a
:class:`toolchain.Found`. With ``prefer_static`` it links ``lib<name>.a`` in
place of each of the package's own ``-l<name>`` when every one of them has an
archive in the library directories (the ``-L`` dirs, pkg-config's
``libdir`` and the multiarch default such as ``/usr/lib/x86_64-linux-gnu``),
and adds the private libraries ``pkg-config --static`` lists (``-lm -lz``
for sqlite3). Otherwise the shared libraries are linked.

The helpers (:func:`split_cflags`, :func:`split_libs`, :func:`library_dirs`,
:func:`find_archive`, :func:`needs_rpath`) are shared with detectors that
need more than plain pkg-config (toolchain/opencv.py).
"""

from __future__ import annotations

import os
import shlex
import sysconfig

from sffi.toolchain.base import DependencyMissing, Found, pkg_config, pkg_config_all, unique

__all__ = ["detect", "split_cflags", "split_libs", "library_dirs", "find_archive", "needs_rpath",
           "system_lib_dirs"]


def _multiarch() -> str:
    return sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"


def system_lib_dirs() -> list[str]:
    """Directories the linker and the loader search by default (no -L, no rpath needed)."""
    arch = _multiarch()
    return [f"/usr/lib/{arch}", f"/lib/{arch}", "/usr/lib", "/lib", "/usr/lib64", "/lib64"]


def _tokenize(text: str, prefixes: tuple[str, ...], pairs: tuple[str, ...] = ()) -> tuple[dict, list[str]]:
    """Shell words of pkg-config output -> ({prefix: values}, the other words in order).

    ``-Xvalue`` and ``-X value`` give ``value`` for each prefix ``-X``; a word of
    ``pairs`` (``-isystem dir``) stays with its argument among the other words.
    """
    found: dict[str, list[str]] = {p: [] for p in prefixes}
    rest: list[str] = []
    words = shlex.split(text)
    i = 0
    while i < len(words):
        word = words[i]
        if word in prefixes and i + 1 < len(words):
            found[word].append(words[i + 1])
            i += 2
            continue
        if word in pairs and i + 1 < len(words):
            rest.extend(words[i:i + 2])
            i += 2
            continue
        prefix = next((p for p in prefixes if word.startswith(p)), None)
        if prefix:
            found[prefix].append(word[len(prefix):])
        else:
            rest.append(word)
        i += 1
    return found, rest


def split_cflags(text: str) -> tuple[list[str], list[str], list[str]]:
    """``pkg-config --cflags`` output -> (cpppath, cppdefines, ccflags).

    ``-I dir`` and ``-Idir`` go to cpppath, ``-DNAME[=VALUE]`` to cppdefines
    (as ``"NAME"`` or ``"NAME=VALUE"``), anything else (``-pthread``,
    ``-isystem dir``...) to ccflags unchanged.
    """
    found, flags = _tokenize(text, ("-I", "-D"), pairs=("-isystem", "-include"))
    return unique(found["-I"]), unique(found["-D"]), flags


def split_libs(text: str) -> tuple[list[str], list[str], list[str]]:
    """``pkg-config --libs`` output -> (libpath, libs, linkflags).

    ``-Ldir`` to libpath, ``-lname`` to libs (order kept, repeats dropped),
    anything else (``-pthread``, ``-Wl,...``, a path to a library) to linkflags.
    """
    found, flags = _tokenize(text, ("-L", "-l"))
    return unique(found["-L"]), unique(found["-l"]), unique(flags)


def library_dirs(libpath: list[str], libdir: str) -> list[str]:
    """Where to look for archives: the -L dirs, pkg-config's libdir, then the system dirs."""
    dirs = [*libpath, *([libdir] if libdir else []), *system_lib_dirs()]
    return [d for d in unique(dirs) if os.path.isdir(d)]


def find_file(filename: str, dirs: list[str]) -> str | None:
    """The first ``filename`` found in ``dirs``, as an absolute path, or None."""
    for d in dirs:
        path = os.path.join(d, filename)
        if os.path.isfile(path):
            return os.path.abspath(path)
    return None


def find_archive(name: str, dirs: list[str]) -> str | None:
    """The first ``lib<name>.a`` in ``dirs`` (absolute path), or None."""
    return find_file(f"lib{name}.a", dirs)


def needs_rpath(libpath: list[str]) -> list[str]:
    """The -L dirs the loader would not search by itself (recorded as rpath for shared links)."""
    system = {os.path.realpath(d) for d in system_lib_dirs()}
    return [d for d in libpath if os.path.realpath(d) not in system]


def detect(package: str, prefer_static: bool) -> Found:
    """Compile and link settings for a pkg-config package.

    Args:
        package: the pkg-config name, e.g. ``"sqlite3"``.
        prefer_static: link ``lib<name>.a`` archives when all exist.

    Returns:
        Found with ``linkage`` ``"static"`` (archives in ``static_archives``,
        their private libraries in ``libs``) or ``"shared"`` (``-l`` names in
        ``libs``, non-system ``-L`` dirs also in ``rpath``).

    Raises:
        DependencyMissing: pkg-config is missing or does not know ``package``.
    """
    # --static --libs is asked along (it is needed when the archives exist), its failure kept for then
    version, cflags, libs_text, libdir, pcdir, static_text = pkg_config_all(
        package, ("--modversion",), ("--cflags",), ("--libs",), ("--variable=libdir",), ("--variable=pcfiledir",),
        ("--static", "--libs"), optional=(5,))
    cpppath, defines, ccflags = split_cflags(cflags)
    libpath, libs, linkflags = split_libs(libs_text)
    origin = f"pkg-config {package}" + (f" ({pcdir}/{package}.pc)" if pcdir else "")
    found = Found(name=package, version=version, origin=origin, linkage="shared",
                  cpppath=cpppath, cppdefines=defines, ccflags=ccflags,
                  libpath=libpath, libs=libs, linkflags=linkflags)

    if prefer_static and libs:
        dirs = library_dirs(libpath, libdir)
        archives = [find_archive(name, dirs) for name in libs]
        if all(archives):
            if static_text is None:
                static_text = pkg_config(package, "--static", "--libs")  # raises pkg-config's error
            s_libpath, s_libs, s_flags = split_libs(static_text)
            own = set(libs)
            found.linkage = "static"
            found.static_archives = [a for a in archives if a]
            found.libs = [name for name in s_libs if name not in own]
            found.libpath = unique([*libpath, *s_libpath])
            found.linkflags = unique([*linkflags, *s_flags])
            found.origin += ", static archives"
            return found
        missing = [f"lib{name}.a" for name, a in zip(libs, archives) if not a]
        found.origin += f", shared (no {', '.join(missing)})"
    found.rpath = needs_rpath(libpath)
    return found


if __name__ == "__main__":  # python -m toolchain.pkgconfig sqlite3 [--static]
    import sys
    try:
        print(detect(sys.argv[1], "--static" in sys.argv[2:]))
    except DependencyMissing as exc:
        sys.exit(str(exc))
