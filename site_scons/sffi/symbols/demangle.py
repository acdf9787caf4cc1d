"""Demangling C++ and Rust symbol names for display.

Which demangler reads what:

* C++ (Itanium C++ ABI mangling, ``_Z...``, also GCC clone suffixes such as
  ``.cold``): ``cxxfilt`` from PyPI, a wrapper around libstdc++'s
  ``abi::__cxa_demangle`` (what ``c++filt`` uses).
* Rust, both manglings: ``pyderust`` from PyPI, bindings to the
  ``rustc-demangle`` crate that rustc and std's backtraces use. It reads the
  v0 mangling (``_R...``, RFC 2603) and the legacy one (``_ZN...17h<16 hex>E``,
  shown without the hash, as rustc's ``{:#}`` display does).
* Without ``pyderust`` installed, legacy Rust names go through ``cxxfilt``
  (``core::fmt::write::h0123456789abcdef``: the hash stays, and ``$LT$``-style
  escapes are not undone) and ``_R`` names are left mangled: no other
  maintained v0 demangler is used.

Anything else (C names, names no demangler accepts) comes back unchanged.
"""

from __future__ import annotations

import functools
import re

import cxxfilt

try:  # optional: the Rust demangler (see the module docstring)
    import pyderust
except ImportError:  # pragma: no cover - exercised only where it is missing
    pyderust = None

#: The legacy Rust mangling: an Itanium nested name whose last part is the 17-char hash.
_RUST_LEGACY = re.compile(r"^_ZN.*17h[0-9a-f]{16}E(\.[A-Za-z0-9_.$]+)?$")

#: True when ``_R`` (Rust v0) names can be demangled here.
RUST_V0 = pyderust is not None


@functools.lru_cache(maxsize=65536)
def demangle(name: str) -> str:
    """The human-readable form of a mangled C++ or Rust symbol name.

    Args:
        name: a symbol name as stored in the symbol table (without an
            ``@VERSION`` suffix).
    Returns:
        The demangled name (``_Z3addii`` -> ``add(int, int)``,
        ``_RNvCs1234_7mycrate3foo`` -> ``mycrate::foo``), or ``name``
        itself when it is not mangled or no demangler accepts it. Never raises.
    """
    if name.startswith("_R") or _RUST_LEGACY.match(name):
        if pyderust is not None:
            try:
                return pyderust.demangle(name)
            except Exception:  # noqa: BLE001 - pyderust.DemangleError and bad input alike
                pass
        if name.startswith("_R"):
            return name
    if name.startswith("_Z"):
        try:
            return cxxfilt.demangle(name, external_only=True)
        except Exception:  # noqa: BLE001 - cxxfilt.InvalidName and friends
            return name
    return name
