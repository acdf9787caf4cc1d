"""Hardening of the linked runtime: the flags a build adds, and the audit of the result.

Each check is one protection: the compile or link flags that give it, and what
the linked ELF file shows when it is there, read the way Debian's
``hardening-check`` and ``checksec`` read it (program headers, dynamic tags,
imported symbols, section names). The build adds the flags of every enabled
check (:func:`flags`) and the post-link audit (:func:`audit`) fails the build
naming each protection missing and the fix. docs/reliability.md, "Hardening",
has the table.

``--hardening=`` (:func:`parse_option`) turns checks off: ``off`` all of them,
or ``no-CHECK[,no-CHECK...]``; :func:`enabled` says which apply to a mode:
``fortify`` needs optimisation (not in ``--mode=debug``) and conflicts with
AddressSanitizer's interceptors (not with ``--sanitize=address``); the debug
mode keeps its debug information inline (no ``split-debug``).
"""

from __future__ import annotations

import dataclasses
import os

from sffi.errors import ScanError, SffiError


@dataclasses.dataclass(frozen=True)
class Check:
    """One protection.

    Attributes:
        name: as ``--hardening=no-NAME`` names it.
        protects: what it protects against (one line, for the docs and ``scons -h``).
        ccflags: compile flags of every object (C and C++).
        cppdefines: preprocessor definitions of every object.
        linkflags: link flags of executables and shared objects.
        progflags: compile and link flags of executables only (never of a shared object's objects).
        fix: what to do when the audit finds it missing.
        absent: what the audit says of a file without it (the checks read from :class:`Facts`).
    """

    name: str
    protects: str
    ccflags: tuple = ()
    cppdefines: tuple = ()
    linkflags: tuple = ()
    progflags: tuple = ()
    fix: str = ""
    absent: str = ""


CHECKS = {c.name: c for c in (
    Check("relro", "GOT and other relocated data read-only after start-up (PT_GNU_RELRO)",
          linkflags=("-Wl,-z,relro",), fix="link with -Wl,-z,relro",
          absent="no PT_GNU_RELRO segment"),
    Check("bindnow", "every symbol bound at start-up, so the whole GOT can be read-only (full RELRO)",
          linkflags=("-Wl,-z,now",), fix="link with -Wl,-z,now",
          absent="lazy binding (no BIND_NOW: partial RELRO)"),
    Check("pie", "the executable loaded at a random address (ASLR for its code and data)",
          progflags=("-fPIE", "-pie"), fix="compile with -fPIE and link with -pie",
          absent="not a position-independent executable"),
    Check("nxstack", "no executable stack (PT_GNU_STACK without PF_X)",
          linkflags=("-Wl,-z,noexecstack",), fix="link with -Wl,-z,noexecstack; find the object that asks "
                                                 "for an executable stack with `readelf -lW` / `execstack -q`",
          absent="the stack is executable"),
    Check("stack-protector", "stack buffer overflows stopped at function return (a canary)",
          ccflags=("-fstack-protector-strong",), fix="compile with -fstack-protector-strong",
          absent="no __stack_chk_fail import (no object has a stack protector)"),
    Check("fortify", "buffer overflows in libc calls with known sizes (memcpy, sprintf, ... checked)",
          cppdefines=("_FORTIFY_SOURCE=2",), fix="compile with -O1 or more and -D_FORTIFY_SOURCE=2",
          absent="no __*_chk import (no object was built with _FORTIFY_SOURCE)"),
    Check("split-debug", "the shipped binary carries no debug information (it is in simple.debug)",
          fix="objcopy --only-keep-debug simple simple.debug && "
              "objcopy --strip-debug --add-gnu-debuglink=simple.debug simple"),
)}


def parse_option(text: str) -> frozenset[str]:
    """The checks ``--hardening=TEXT`` turns off.

    Args:
        text: ``all`` or empty (nothing off), ``off`` (everything off), or
            ``no-CHECK[,no-CHECK...]`` with CHECK in :data:`CHECKS`.
    Returns:
        The names turned off.
    Raises:
        SffiError: an unknown word, naming it and the known checks.
    """
    words = [w.strip() for w in text.split(",") if w.strip()]
    if words in ([], ["all"]):
        return frozenset()
    if words == ["off"]:
        return frozenset(CHECKS)
    off = set()
    for word in words:
        name = word[3:] if word.startswith("no-") else None
        if name not in CHECKS:
            raise SffiError(f"--hardening: unknown value '{word}'; use all, off, or no-CHECK[,no-CHECK...] "
                            f"with CHECK one of {', '.join(CHECKS)}")
        off.add(name)
    return frozenset(off)


def enabled(mode: str, sanitize: str, off: frozenset[str] = frozenset()) -> tuple[list[str], list[str]]:
    """The checks that apply to a build, and why the others do not.

    Args:
        mode: ``release`` or ``debug``.
        sanitize: ``address`` or ``none``.
        off: the names ``--hardening`` turned off (:func:`parse_option`).
    Returns:
        ``(names in CHECKS order, notes)``: one note per check left out, as "NAME off: why".
    """
    why = {name: "--hardening" for name in off}
    if mode == "debug":
        why.setdefault("fortify", "--mode=debug (_FORTIFY_SOURCE needs optimisation)")
        why.setdefault("split-debug", "--mode=debug (debug information stays in the binary)")
    if sanitize == "address":
        why.setdefault("fortify", "--sanitize=address (ASan intercepts the libc calls FORTIFY replaces)")
    return [n for n in CHECKS if n not in why], [f"{n} off: {why[n]}" for n in CHECKS if n in why]


def flags(names: list[str]) -> dict[str, list[str]]:
    """The construction variables the enabled checks add: CCFLAGS, CPPDEFINES, LINKFLAGS, PROGFLAGS."""
    out: dict[str, list[str]] = {"CCFLAGS": [], "CPPDEFINES": [], "LINKFLAGS": [], "PROGFLAGS": []}
    for name in names:
        check = CHECKS[name]
        out["CCFLAGS"] += check.ccflags
        out["CPPDEFINES"] += check.cppdefines
        out["LINKFLAGS"] += check.linkflags
        out["PROGFLAGS"] += check.progflags
    return out


@dataclasses.dataclass
class Facts:
    """What a linked ELF file shows (each field as hardening-check/checksec read it)."""

    relro: bool          # a PT_GNU_RELRO segment
    bindnow: bool        # DT_BIND_NOW, DF_BIND_NOW in DT_FLAGS or DF_1_NOW in DT_FLAGS_1
    pie: bool            # ET_DYN with DF_1_PIE (or, from older linkers, with PT_INTERP)
    nxstack: bool        # PT_GNU_STACK present, without PF_X
    stack_protector: bool  # imports __stack_chk_fail (or __stack_chk_fail_local is defined)
    fortify: bool        # imports a __*_chk function of glibc
    debug_sections: list  # names of .debug_* / .zdebug_* sections
    debuglink: str | None  # the file named by .gnu_debuglink
    build_id: str | None   # hex of NT_GNU_BUILD_ID


def read_facts(path: str | os.PathLike, symbols: bool = True) -> Facts:
    """Read the :class:`Facts` of one linked executable or shared object.

    Args:
        path: the file.
        symbols: read the imports (sffi.symbols.elf, which checks every bound
            first); False for a separate debug file, whose tables are NOBITS.
    Raises:
        ScanError: not an ELF file, truncated or corrupt.
    """
    from sffi.symbols.elf import PARSE_ERRORS, one_line, read_elf

    location = os.fspath(path)
    try:
        with open(location, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            found = read_elf(stream, size, location=location)[1] if symbols else []
            stream.seek(0)
            return _facts(stream, found)
    except OSError as exc:
        raise ScanError(f"cannot read: {exc.strerror}", location=location) from None
    except PARSE_ERRORS as exc:
        raise ScanError(f"corrupt ELF file: {one_line(exc)}", location=location) from None


def _facts(stream, symbols) -> Facts:
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile

    elf = ELFFile(stream)
    segments = [s.header for s in elf.iter_segments()]
    types = {s.p_type for s in segments}
    stack = [s for s in segments if s.p_type == "PT_GNU_STACK"]
    tags: dict[str, int] = {}
    dynamic = elf.get_section_by_name(".dynamic")
    if isinstance(dynamic, DynamicSection):  # a separate debug file's is NOBITS
        for tag in dynamic.iter_tags():
            tags.setdefault(tag.entry.d_tag, tag.entry.d_val)
    flags1 = tags.get("DT_FLAGS_1", 0)
    imported = {s.name for s in symbols if not s.defined}
    names = [s.name for s in elf.iter_sections()]
    return Facts(
        relro="PT_GNU_RELRO" in types,
        bindnow="DT_BIND_NOW" in tags or bool(tags.get("DT_FLAGS", 0) & 0x8) or bool(flags1 & 0x1),
        pie=elf.header.e_type == "ET_DYN" and (bool(flags1 & 0x08000000) or "PT_INTERP" in types),
        nxstack=bool(stack) and not stack[0].p_flags & 0x1,
        stack_protector="__stack_chk_fail" in imported or any(s.name == "__stack_chk_fail_local" for s in symbols),
        fortify=any(n.startswith("__") and n.endswith("_chk") and n != "__stack_chk_fail" for n in imported),
        debug_sections=[n for n in names if n.startswith((".debug_", ".zdebug_"))],
        debuglink=_debuglink(elf),
        build_id=_build_id(elf))


def _debuglink(elf) -> str | None:
    section = elf.get_section_by_name(".gnu_debuglink")
    if section is None:
        return None
    return section.data().split(b"\0", 1)[0].decode("utf-8", "replace")


def _build_id(elf) -> str | None:
    section = elf.get_section_by_name(".note.gnu.build-id")
    if section is None:
        return None
    for note in section.iter_notes():
        if note["n_type"] == "NT_GNU_BUILD_ID":
            return note["n_desc"]
    return None


def audit(path: str | os.PathLike, names: list[str]) -> list[str]:
    """The problems of a linked runtime for the checks ``names``: one message per missing protection.

    ``split-debug`` also wants ``<path>.debug`` beside the file, named by its
    ``.gnu_debuglink`` and with the same build id.

    Returns:
        Messages "CHECK: what is missing; fix: ...", empty when every check passes.
    Raises:
        ScanError: as :func:`read_facts`.
    """
    facts = read_facts(path)
    problems = [f"{name}: {CHECKS[name].absent}; fix: {CHECKS[name].fix}" for name in names
                if name != "split-debug" and not getattr(facts, name.replace("-", "_"))]
    if "split-debug" in names:
        problems += _split_debug_problems(os.fspath(path), facts)
    return problems


def _split_debug_problems(path: str, facts: Facts) -> list[str]:
    fix = CHECKS["split-debug"].fix
    if facts.debug_sections:
        return [f"split-debug: the binary carries {', '.join(facts.debug_sections)}; fix: {fix}"]
    debug = path + ".debug"
    if facts.debuglink != os.path.basename(debug):
        return [f"split-debug: .gnu_debuglink names {facts.debuglink!r}, not {os.path.basename(debug)!r}; fix: {fix}"]
    if not os.path.isfile(debug):
        return [f"split-debug: {debug} is missing; fix: {fix}"]
    theirs = read_facts(debug, symbols=False).build_id
    if theirs != facts.build_id:
        return [f"split-debug: {debug} has build id {theirs}, the binary {facts.build_id}; fix: {fix}"]
    return []
