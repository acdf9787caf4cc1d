"""OpenCV 4 detector for ffi_libs/opencv (docs/opencv.md).

Found through ``pkg-config opencv4``, but only the three modules the library
uses are linked (pkg-config lists all ~60 of them), in dependency order:
``opencv_imgcodecs``, ``opencv_imgproc``, ``opencv_core``.

``prefer_static``: Debian's libopencv-dev ships ``libopencv_<module>.a``.
When the three archives exist they are linked, plus the system libraries
their objects refer to, which ``pkg-config --static`` does not list (it
names only ``-ldl -lm -lpthread -lrt``). That set is read from the
``DT_NEEDED`` entries of the matching shared modules, which are built from
the same objects with ``--as-needed``; on Debian 12 it is exactly the set
found by linking a test program against the archives and reading the
linker's undefined references (docs/opencv.md, "Static link set"):
:data:`DEBIAN12_STATIC_DEPS`, also the fallback when the shared modules
cannot be read. Each library is linked as ``-l<name>`` when its development
symlink ``lib<name>.so`` exists, else by soname (``-l:libgdal.so.32``: the
runtime -dev packages of gdal, openjp2, blas and lapack are not installed
with libopencv-dev). If one of them cannot be found at all, the shared
OpenCV modules are linked instead, and ``origin`` says why.
"""

from __future__ import annotations

import os
import re
import shutil

from sffi.toolchain.base import DependencyMissing, Found, pkg_config_all, unique
from sffi.toolchain import pkgconfig, runcache

PACKAGE = "opencv4"
INSTALL = "apt-get install libopencv-dev"
# Link order: a module before the modules it uses.
MODULES = ("imgcodecs", "imgproc", "core")
# The C/C++ runtime, which the compiler driver links by itself.
_TOOLCHAIN_LIBS = {"c", "m", "stdc++", "gcc_s", "pthread", "dl", "rt"}
# Found on Debian 12 (OpenCV 4.6.0) by the link experiment in docs/opencv.md.
DEBIAN12_STATIC_DEPS = (
    "libtbb.so.12", "libGLX.so.0", "liblapack.so.3", "libblas.so.3", "libz.so.1",       # core
    "libjpeg.so.62", "libwebp.so.7", "libpng16.so.16", "libtiff.so.6", "libopenjp2.so.7",  # imgcodecs
    "libOpenEXR-3_1.so.30", "libgdal.so.32", "libgdcmMSFF.so.3.0", "libgdcmDSED.so.3.0",
)


def detect(prefer_static: bool) -> Found:
    """Settings to compile against OpenCV 4 and link core, imgproc and imgcodecs.

    Raises:
        DependencyMissing: pkg-config does not know opencv4, the version is
            not 4.5 or later 4.x, or one of the three modules is missing.
    """
    try:
        version, cflags, libs_text, libdir, static_text = pkg_config_all(
            PACKAGE, ("--modversion",), ("--cflags",), ("--libs",), ("--variable=libdir",), ("--static", "--libs"))
    except DependencyMissing as exc:
        raise DependencyMissing(PACKAGE, exc.reason.rstrip("."), exc.install or INSTALL) from None

    match = re.match(r"(\d+)\.(\d+)", version)
    if not match or int(match.group(1)) != 4 or int(match.group(2)) < 5:
        raise DependencyMissing(PACKAGE, f"found OpenCV {version}, need 4.5 or a later 4.x", INSTALL)

    cpppath, defines, ccflags = pkgconfig.split_cflags(cflags)
    libpath, all_libs, _ = pkgconfig.split_libs(libs_text)
    wanted = [f"opencv_{m}" for m in MODULES]
    absent = [name for name in wanted if name not in all_libs]
    if absent:
        raise DependencyMissing(PACKAGE, f"OpenCV {version} lacks the module(s) {', '.join(absent)} "
                                f"(pkg-config --libs opencv4 does not list them)", INSTALL)
    dirs = pkgconfig.library_dirs(libpath, libdir)
    found = Found(name="opencv", version=version, origin=f"pkg-config {PACKAGE}",
                  cpppath=cpppath, cppdefines=defines, ccflags=ccflags, libpath=libpath)

    if prefer_static:
        archives = [pkgconfig.find_archive(name, dirs) for name in wanted]
        if all(archives):
            deps, why_not = _static_system_libs(wanted, dirs)
            if why_not is None:
                _, private, _ = pkgconfig.split_libs(static_text)
                private = [p for p in private if not p.startswith("opencv_")]
                found.linkage = "static"
                found.static_archives = [a for a in archives if a]
                found.libs = unique([*deps, *private])
                found.origin += ", static archives of " + ", ".join(wanted)
                return found
            found.origin += f", shared ({why_not})"
        else:
            missing = [f"lib{n}.a" for n, a in zip(wanted, archives) if not a]
            found.origin += f", shared (no {', '.join(missing)})"

    found.linkage = "shared"
    found.libs = wanted
    found.rpath = pkgconfig.needs_rpath(libpath)
    return found


def _static_system_libs(modules: list[str], dirs: list[str]) -> tuple[list[str], str | None]:
    """(link names of the system libraries the archives need, None) or ([], why not)."""
    sonames: list[str] = []
    shared = [pkgconfig.find_file(f"lib{module}.so", dirs) for module in modules]
    needed = _needed_all(shared) if all(shared) else [None]
    for names in needed:
        if names is None:
            sonames = list(DEBIAN12_STATIC_DEPS)
            break
        sonames.extend(n for n in names if not n.startswith("libopencv_"))
    names = []
    for soname in unique(sonames):
        stem = re.sub(r"^lib|\.so(\..*)?$", "", soname)
        if stem in _TOOLCHAIN_LIBS or stem.startswith("ld-linux"):
            continue
        name = _link_name(soname, stem, dirs)
        if name is None:
            return [], f"{soname}, needed by the static OpenCV archives, is not installed"
        names.append(name)
    return names, None


def _needed_all(paths: list[str]) -> list[list[str] | None]:
    """DT_NEEDED of each shared library, in order; None for one that cannot be read.

    binutils' ``readelf -d`` first, one process per library side by side (it comes
    with the toolchain, and processes cost less than importing pyelftools in every
    scons run), pyelftools where readelf is missing.
    """
    if shutil.which("readelf") is None:
        return [_needed(p) for p in paths]
    outputs = runcache.run_all([["readelf", "-d", p] for p in paths], [[p] for p in paths])  # cached between runs
    return [re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out) if code == 0 else None
            for code, out, _ in outputs]


def _needed(path: str) -> list[str] | None:
    """DT_NEEDED of a shared library through pyelftools; None when it cannot be read."""
    try:
        from elftools.elf.dynamic import DynamicSection
        from elftools.elf.elffile import ELFFile
        with open(path, "rb") as f:
            for section in ELFFile(f).iter_sections():
                if isinstance(section, DynamicSection):
                    return [t.needed for t in section.iter_tags() if t.entry.d_tag == "DT_NEEDED"]
        return []
    except Exception:  # not an ELF file we can read
        return None


def _link_name(soname: str, stem: str, dirs: list[str]) -> str | None:
    """``stem`` when ``lib<stem>.so`` (the -dev symlink) exists, ``:soname``
    when only the runtime library does, None when neither is there."""
    for d in dirs:
        if os.path.exists(os.path.join(d, f"lib{stem}.so")):
            return stem
    for d in dirs:
        if os.path.exists(os.path.join(d, soname)):
            return ":" + soname
    return None


if __name__ == "__main__":  # python -m toolchain.opencv [--shared]
    import sys
    try:
        print(detect(prefer_static="--shared" not in sys.argv[1:]))
    except DependencyMissing as exc:
        sys.exit(str(exc))
