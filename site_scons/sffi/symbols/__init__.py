"""Symbols of ELF objects, ``ar`` archives and shared objects (Tier 1 exports).

Public API::

    from sffi.symbols import scan, scan_file, exports, undefined, Symbol, demangle

    exports(scan("build/libs/sqlite/librt_sqlite.a"))   # what it defines for others
    undefined(scan("libfoo.so"))                          # what it needs

Inputs and what is read (formats: the ELF gABI, ``ar(5)`` with the GNU ``//``
long-name table and BSD ``#1/NN`` names, the LSB/Drepper symbol versioning):

* relocatable object ``.o`` (ET_REL): its ``.symtab``.
* static archive ``.a``/``.rlib``: the ``.symtab`` of each ELF member, each
  symbol tagged with its member. The archive's symbol index and non-ELF
  members (rustc's ``lib.rmeta``, LLVM bitcode) are skipped; a member that
  starts like ELF but is damaged is an error.
* shared object ``.so`` (ET_DYN) or executable (ET_EXEC): its ``.dynsym``
  with symbol versions.

pyelftools reads everything; shared objects with more than
:data:`LIEF_MIN_DYNSYM` dynamic symbols are read with LIEF instead, which
gives identical results faster (measured: scripts/bench/bench_symbols.py).
Mach-O, PE and COFF files are recognised (by LIEF's format detection) and
refused with "not supported: <format>".
"""

from __future__ import annotations

import os
import stat

from sffi.errors import ScanError
from sffi.symbols.archive import is_archive, iter_members
from sffi.symbols.demangle import demangle
from sffi.symbols.elf import ELF_MAGIC, dynsym_count, read_elf, read_elf_bytes, read_shared_lief
from sffi.symbols.model import KINDS, ScanResult, Symbol, exports, sort_symbols, undefined

__all__ = ["KINDS", "LIEF_MIN_DYNSYM", "ScanError", "ScanResult", "Symbol", "demangle",
           "exports", "scan", "scan_file", "undefined"]

#: Shared objects whose ``.dynsym`` has at least this many entries are read with
#: LIEF (``backend='auto'``). Measured here (scripts/bench/bench_symbols.py):
#: pyelftools reads ~30,000 symbols/s, LIEF ~70,000-100,000/s, but importing
#: LIEF costs ~0.43 s, so LIEF only pays off from ~17,000 symbols.
LIEF_MIN_DYNSYM = 20000

BACKENDS = ("auto", "pyelftools", "lief")

_MACHO_MAGICS = (b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf",
                 b"\xcf\xfa\xed\xfe")


def scan(path: str | os.PathLike, *, backend: str = "auto") -> list[Symbol]:
    """Every symbol of interest of an object, archive or shared object.

    Args:
        path: a ``.o``, ``.a``/``.rlib`` or ``.so`` (or ELF executable).
        backend: ``'auto'`` (pyelftools; LIEF for shared objects with at least
            :data:`LIEF_MIN_DYNSYM` dynamic symbols), ``'pyelftools'`` or ``'lief'``
            (LIEF for shared objects and executables, pyelftools otherwise).
    Returns:
        :class:`Symbol` list sorted stably by (member, name): defined and
        undefined, global, weak and local, all visibilities; no section or
        file symbols. Filter with :func:`exports` / :func:`undefined`.
    Raises:
        ScanError: missing file, directory, empty file, not ELF or ``ar``
            (text, Mach-O, PE ...), truncated or corrupt ELF or archive; the
            message names the file (and the archive member).
    """
    return scan_file(path, backend=backend).symbols


def scan_file(path: str | os.PathLike, *, backend: str = "auto") -> ScanResult:
    """:func:`scan`, also telling what kind of input it was.

    Returns:
        :class:`ScanResult` with ``path`` (as given, ``str``), ``kind``
        (``'object'``, ``'archive'``, ``'shared'`` or ``'executable'``), the sorted
        ``symbols`` and, for an archive, the ELF ``members`` read.
    Raises:
        ScanError: as :func:`scan`. ``ValueError`` for an unknown ``backend``.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    location = os.fspath(path)
    head, size = read_head(location)
    if is_archive(head):
        return _scan_archive(location)
    if head[:4] == ELF_MAGIC:
        use_lief = backend == "lief"
        # A .dynsym entry has at least 16 bytes: only large files can have large tables.
        if backend == "auto" and size >= LIEF_MIN_DYNSYM * 16:
            use_lief = dynsym_count(location) >= LIEF_MIN_DYNSYM
        with open(location, "rb") as f:
            if use_lief:
                kind = _elf_kind(f)
                if kind != "object":
                    kind, symbols = read_shared_lief(location)
                    return ScanResult(location, kind, sort_symbols(symbols))
            kind, symbols = read_elf(f, size, location=location)
        return ScanResult(location, kind, sort_symbols(symbols))
    raise ScanError(unsupported_message(location, head), location=location)


def read_head(path: str) -> tuple[bytes, int]:
    """The first 8 bytes and the size (bytes) of a regular, non-empty file.

    Raises:
        ScanError: missing, a directory or other non-regular file, empty, unreadable.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ScanError("no such file", location=path) from None
    except OSError as exc:
        raise ScanError(f"cannot read: {exc.strerror or exc}", location=path) from None
    if stat.S_ISDIR(st.st_mode):
        raise ScanError("is a directory, not an object, archive or shared object", location=path)
    if not stat.S_ISREG(st.st_mode):
        raise ScanError("not a regular file", location=path)
    if st.st_size == 0:
        raise ScanError("empty file, not an object, archive or shared object", location=path)
    try:
        with open(path, "rb") as f:
            return f.read(8), st.st_size
    except OSError as exc:
        raise ScanError(f"cannot read: {exc.strerror or exc}", location=path) from None


def _elf_kind(f) -> str:
    """'object' for ET_REL (byte 16-17 of the ELF header), else 'shared'."""
    f.seek(0)
    head = f.read(18)
    f.seek(0)
    if len(head) < 18:
        return "object"  # let read_elf report the truncation
    e_type = int.from_bytes(head[16:18], "little" if head[5] == 1 else "big")
    return "object" if e_type == 1 else "shared"


def unsupported_message(path: str, head: bytes) -> str:
    """The ScanError message for a file that is neither ELF nor ``ar``: names the
    format when LIEF recognises it (Mach-O, PE, COFF), else says what was expected."""
    import lief

    for check, fmt in ((lief.is_macho, "Mach-O"), (lief.is_pe, "PE (Windows)"),
                       (lief.is_coff, "COFF")):
        try:
            if check(path):
                return (f"not supported: {fmt} file (only ELF objects, archives and "
                        f"shared objects are read)")
        except Exception:  # noqa: BLE001 - format probing must not fail the message
            pass
    with open(path, "rb") as f:
        sample = f.read(512)
    if _looks_like_text(sample):
        return "not an ELF object, archive or shared object: a text file"
    return (f"not an ELF object, archive or shared object: unknown format "
            f"(starts with bytes {head[:4].hex(' ')})")


def _looks_like_text(sample: bytes) -> bool:
    if b"\0" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 3  # a character cut at the end of the sample
    return True


def _scan_archive(path: str) -> ScanResult:
    """Every ELF member's symbols; skip non-ELF members (refuse Mach-O-only archives)."""
    symbols: list[Symbol] = []
    members: list[str] = []
    foreign = 0
    for m in iter_members(path):
        if m.data[:4] == ELF_MAGIC:
            kind, syms = read_elf_bytes(m.data, location=f"{path}({m.name})", member=m.name)
            if kind != "object":
                raise ScanError(f"archive member is an ELF {kind}, not a relocatable object",
                                location=f"{path}({m.name})")
            symbols.extend(syms)
            members.append(m.name)
        elif m.data[:4] in _MACHO_MAGICS:
            foreign += 1
    if foreign and not members:
        raise ScanError("not supported: archive of Mach-O objects (only ELF members are read)",
                        location=path)
    return ScanResult(path, "archive", sort_symbols(symbols), tuple(members))
