"""Compiler flags as units, each carried once on a compile line.

A compile line collects flags from several places: the base environment (mode,
warnings, hardening), a library's dependencies (pkg-config, the libtorch and OpenCV
detectors) and its manifest's ``[build]``. The same flag can come from two of them
(``-std=c++20`` from the detector and the manifest, ``-O2`` from the manifest and the
release mode, an include directory as ``-isystemDIR`` and as ``-isystem DIR``).
GCC takes the first of repeated directory options and the last of repeated ``-O``/``-std``
options, so a flag given again with the same value changes nothing but the line's
length: :func:`unique` drops the repeats, keeping each unit where it first appears.

A *unit* is one flag, or an option and its argument (``-isystem DIR``, ``-include FILE``,
``-D NAME``), written separately or joined (``-isystemDIR``, ``-DNAME``): both spellings
are the same unit. Other flags are compared as written.
"""

from __future__ import annotations

#: options whose argument may be the next word (GCC's "Options Controlling the Preprocessor",
#: "Options for Directory Search")
SEPARATE = ("-isystem", "-include", "-imacros", "-iquote", "-idirafter", "-I", "-D", "-U", "-x")
#: the ones of those whose argument may also be joined to the option (``-isystemDIR``)
JOINED = ("-isystem", "-iquote", "-idirafter", "-I", "-D", "-U")


def units(flags: list[str]) -> list[tuple[tuple[str, str], list[str]]]:
    """``flags`` split into units: (the unit's key, its words as written), in order.

    The key of ``-isystem DIR`` and of ``-isystemDIR`` is ``("-isystem", "DIR")``; of any
    other flag ``("", flag)``. A separate option at the end of the list, without its
    argument, is a unit of its own.
    """
    out, i = [], 0
    while i < len(flags):
        flag = str(flags[i])
        if flag in SEPARATE and i + 1 < len(flags):
            out.append(((flag, str(flags[i + 1])), [flag, str(flags[i + 1])]))
            i += 2
            continue
        joined = next((o for o in JOINED if flag.startswith(o) and len(flag) > len(o)), None)
        out.append(((joined, flag[len(joined):]) if joined else ("", flag), [flag]))
        i += 1
    return out


def keys(flags: list[str]) -> set[tuple[str, str]]:
    """The unit keys of ``flags`` (what :func:`unique` treats as already given)."""
    return {key for key, _ in units(flags)}


def unique(flags: list[str], given: set[tuple[str, str]] | None = None) -> list[str]:
    """``flags`` without the units repeated in them or already in ``given`` (which is updated),
    each kept where it first appears and as it was written there."""
    seen = given if given is not None else set()
    out: list[str] = []
    for key, words in units(flags):
        if key not in seen:
            seen.add(key)
            out += words
    return out
