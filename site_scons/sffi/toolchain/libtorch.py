"""libtorch detector for ffi_libs/torch (docs/torch.md).

Looks, in this order, for:

1. ``$LIBTORCH``: an unpacked libtorch distribution (``include/``, ``lib/``;
   the version from its ``build-version`` file, else from the headers). A
   ``LIBTORCH`` that is set but does not hold libtorch is an error, not a
   reason to look elsewhere: the user asked for that one.
2. the ``torch`` package of the Python running SCons (a pip wheel carries
   libtorch under ``torch/include`` and ``torch/lib``). It is located with
   :func:`importlib.util.find_spec` and its version read from
   ``torch/version.py`` as text: ``import torch`` takes seconds and loads
   hundreds of MB, and is never done here.
3. Debian's ``libtorch-dev`` (``/usr/include/torch``,
   ``/usr/lib/<multiarch>/libtorch_cpu.so``).

The result compiles with ``-std=c++20`` (libtorch 2.13's headers need it),
names the include directories both in ``cpppath`` and as ``-isystem`` flags
(a directory given both ways is searched as a system directory, so warnings
inside libtorch's headers do not flood a ``-Wextra`` build), and links ``-ltorch_cpu -lc10`` with an rpath to the library directory, so
the runtime finds libtorch's shared libraries without ``LD_LIBRARY_PATH``.
A CUDA build of libtorch (``libtorch_cuda.so`` next to ``libtorch_cpu.so``)
also links ``torch_cuda`` and ``c10_cuda``, with ``--no-as-needed`` so that
their static registration of the CUDA backend is kept although no symbol of
theirs is referenced; without them a CUDA libtorch would report no CUDA.

``_GLIBCXX_USE_CXX11_ABI``: libtorch 2.7 and later use the C++11 ABI only;
an older "pre-cxx11" distribution is recognised by the absence of
``__cxx11`` in ``libc10.so`` and gets ``_GLIBCXX_USE_CXX11_ABI=0``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sysconfig
from pathlib import Path

from sffi.toolchain.base import DependencyMissing, Found

NAME = "libtorch"
INSTALL = "pip install torch==2.13.0  (or set LIBTORCH=/path/to/libtorch)"
CXXFLAGS = ["-std=c++20"]
LIBS = ["torch_cpu", "c10"]
CUDA_LIBS = ["torch_cuda", "c10_cuda"]
# The API the library uses (std::optional in ATen signatures, linalg_*, c10::Stream::query).
MIN_VERSION = (2, 4)

_VERSION_PY_RE = re.compile(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", re.M)
_HEADER_VERSION_RE = re.compile(r"#define\s+TORCH_VERSION_(MAJOR|MINOR|PATCH)\s+(\d+)")
# The version headers, relative to an include directory: new layout first.
_VERSION_HEADERS = ("torch/headeronly/version.h", "torch/csrc/api/include/torch/version.h")


def detect(prefer_static: bool) -> Found:
    """Compile and link settings for libtorch.

    Args:
        prefer_static: has no effect. libtorch is linked as shared libraries
            whatever is asked: the pip wheel and Debian's package ship no
            static archives of libtorch_cpu/c10, and a static libtorch would
            drop the operator registrations the dispatcher needs unless
            linked whole-archive (hundreds of MB). ``linkage`` is always
            ``"shared"``.

    Returns:
        A :class:`toolchain.Found` with ``origin`` naming where libtorch was
        found and ``version`` its version (e.g. ``"2.13.0+cpu"``).

    Raises:
        DependencyMissing: ``$LIBTORCH`` is set but is not a libtorch
            distribution, none of the three places holds libtorch, or the
            one found is older than 2.4.
    """
    del prefer_static  # documented above: shared libraries only
    looked: list[str] = []

    env = os.environ.get("LIBTORCH")
    if env:
        root = Path(env).expanduser()
        problem = _layout_problem(root / "include", root / "lib")
        if problem:
            raise DependencyMissing(NAME, f"LIBTORCH={env} is not a libtorch distribution: {problem}", INSTALL)
        version = _read_text_version(root / "build-version") or _header_version(root / "include")
        return _found(root / "include", root / "lib", version, f"LIBTORCH={env}")
    looked.append("$LIBTORCH (not set)")

    package = _python_torch_dir()
    if package is not None:
        include, lib = package / "include", package / "lib"
        problem = _layout_problem(include, lib)
        if problem is None:
            version = _version_py(package / "version.py") or _header_version(include)
            return _found(include, lib, version, f"Python package torch at {package}")
        looked.append(f"Python package torch at {package} ({problem})")
    else:
        looked.append("Python package torch (not importable by this Python)")

    arch = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    debian_lib = Path("/usr/lib") / arch
    if (Path("/usr/include/torch").is_dir() and (debian_lib / "libtorch_cpu.so").exists()
            and (debian_lib / "libc10.so").exists()):
        version = _header_version(Path("/usr/include"))
        # /usr/include and the multiarch lib dir are searched by default:
        # no -I/-L for them and no rpath.
        return _found(Path("/usr/include"), debian_lib, version, "Debian libtorch-dev", system=True)
    looked.append(f"Debian libtorch-dev (/usr/include/torch, {debian_lib}/libtorch_cpu.so)")

    raise DependencyMissing(NAME, "not found; looked for " + "; ".join(looked), INSTALL)


def _python_torch_dir() -> Path | None:
    """The directory of the ``torch`` package this Python would import, without importing it."""
    try:
        spec = importlib.util.find_spec("torch")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _layout_problem(include: Path, lib: Path) -> str | None:
    """What is missing from an include/lib pair, or None when it is usable."""
    if not (include / "ATen" / "core" / "Tensor.h").is_file():
        return f"no {include}/ATen/core/Tensor.h"
    if not (include / "torch" / "csrc" / "api" / "include").is_dir():
        return f"no {include}/torch/csrc/api/include"
    for name in LIBS:
        if not (lib / f"lib{name}.so").exists():
            return f"no {lib}/lib{name}.so"
    return None


def _found(include: Path, lib: Path, version: str, origin: str, system: bool = False) -> Found:
    _check_version(version, origin)
    include, lib = include.resolve(), lib.resolve()
    api_include = include / "torch" / "csrc" / "api" / "include"
    cpppath = ([] if system else [str(include)]) + [str(api_include)]
    cuda = all((lib / f"lib{name}.so").exists() for name in CUDA_LIBS)
    libs = LIBS + CUDA_LIBS if cuda else list(LIBS)
    return Found(
        name=NAME,
        version=version,
        origin=origin + (" (CUDA)" if cuda else ""),
        linkage="shared",
        cpppath=cpppath,
        cppdefines=[] if _uses_cxx11_abi(lib) else ["_GLIBCXX_USE_CXX11_ABI=0"],
        # The same directories again as system headers: GCC then drops the -I
        # and silences the ~100 -Wextra warnings of libtorch's own headers.
        # Joined ("-isystemDIR") so that AppendUnique cannot drop a bare "-isystem".
        cxxflags=list(CXXFLAGS) + [f"-isystem{d}" for d in cpppath],
        libpath=[] if system else [str(lib)],
        libs=libs,
        rpath=[] if system else [str(lib)],
        linkflags=["-Wl,--no-as-needed"] if cuda else [],
    )


def _check_version(version: str, origin: str) -> None:
    m = re.match(r"(\d+)\.(\d+)", version)
    if m and (int(m.group(1)), int(m.group(2))) < MIN_VERSION:
        need = ".".join(map(str, MIN_VERSION))
        raise DependencyMissing(NAME, f"libtorch {version} from {origin} is too old (the torch library needs {need} "
                                      "or later; tested with 2.13.0)", INSTALL)


def _read_text_version(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip().splitlines()[0].strip()
    except (OSError, UnicodeDecodeError, IndexError):
        return ""


def _version_py(path: Path) -> str:
    try:
        m = _VERSION_PY_RE.search(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return ""
    return m.group(1) if m else ""


def _header_version(include: Path) -> str:
    """``MAJOR.MINOR.PATCH`` from the version header under ``include``, or "" when there is none."""
    for rel in _VERSION_HEADERS:
        try:
            text = (include / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        parts = dict(_HEADER_VERSION_RE.findall(text))
        if {"MAJOR", "MINOR", "PATCH"} <= parts.keys():
            return f"{parts['MAJOR']}.{parts['MINOR']}.{parts['PATCH']}"
    return ""


def _uses_cxx11_abi(lib: Path) -> bool:
    """Whether libc10.so was built with the C++11 std::string ABI (its symbols then name ``__cxx11``)."""
    try:
        with open(lib / "libc10.so", "rb") as f:
            previous = b""
            while chunk := f.read(1 << 20):
                if b"__cxx11" in previous[-8:] + chunk:
                    return True
                previous = chunk
    except OSError:
        return True  # unreadable: assume the compiler's default (C++11 ABI)
    return False
