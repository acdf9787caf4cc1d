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

Symbol tables are decoded by the C extension (sffi.symbols.symtab) after the
file's structure has been checked against its size (sffi.symbols.layout);
objects are made only for what a caller asks for. ``backend='pyelftools'`` or
``'lief'`` reads every entry with that library instead (sffi.symbols.reference),
and pyelftools reads every file where the extension is not built: the results
are identical, the tests compare them. Mach-O, PE and COFF files are
recognised (by LIEF's format detection) and refused with "not supported: <format>".
"""

from __future__ import annotations

import gc
import io
import os
import stat
from itertools import count
from operator import itemgetter

from sffi.errors import ScanError
from sffi.symbols import symtab
from sffi.symbols.elf import ELF_MAGIC, read_columns, read_table
from sffi.symbols.spelling import CORRUPT_VERSION, KINDS, MEMBER, NAME, VALUE, VERSION

__all__ = ["DEBUG_INFO_SECTIONS", "KINDS", "RowScan", "ScanError", "ScanResult", "Symbol", "demangle", "exports",
           "has_section", "scan", "scan_file", "scan_rows", "undefined"]

BACKENDS = ("auto", "pyelftools", "lief")

_MACHO_MAGICS = (b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf",
                 b"\xcf\xfa\xed\xfe")


#: Imported on first use (PEP 562), so that a command that only prints rows does not pay
#: for ``dataclasses`` (sffi.symbols.model) or the demanglers.
_LAZY = {"Symbol": "sffi.symbols.model", "ScanResult": "sffi.symbols.model",
         "exports": "sffi.symbols.model", "undefined": "sffi.symbols.model",
         "sort_symbols": "sffi.symbols.model", "demangle": "sffi.symbols.demangle"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class RowScan:
    """:class:`ScanResult` with columns instead of Symbol objects (sffi.symbols.symtab).

    Attributes:
        path, kind, members: as :class:`ScanResult`.
        table: for one ELF file, its sffi.symbols.symtab.Table (names and keys); None
            for an archive, and where the C extension is not built.
        columns: ten lists, one per field of :class:`Symbol` (in its field
            order), in table order (an archive: its members' one after the other)
            (made from ``table`` on first use).
        names: the names, in table order (``columns[0]``).
        order: the row indices sorted stably by (member, name) (computed on first use).
        rows: one tuple per symbol in the field order of :class:`Symbol`
            (``Symbol(*row)`` makes the object), sorted by (member, name)
            (made on first use).
    """

    __slots__ = ("path", "kind", "table", "members", "_columns", "_order", "_rows")

    def __init__(self, path: str, kind: str, columns: list[list] | None = None,
                 members: tuple[str, ...] = (), table: symtab.Table | None = None):
        self.path, self.kind, self._columns, self.members, self.table = path, kind, columns, members, table
        self._order = self._rows = None

    def __len__(self) -> int:
        return len(self.table) if self._columns is None else len(self._columns[0])

    @property
    def columns(self) -> list[list]:
        if self._columns is None:
            self._columns = self.table.columns()
        return self._columns

    @property
    def names(self) -> list[str]:
        if self._columns is None and self.table.exact:
            return self.table.names
        return self.columns[NAME]

    @property
    def order(self) -> list[int]:
        if self._order is None:
            names = self.names
            if self.kind == "archive":
                self._order = sorted(range(len(names)), key=list(zip(self.columns[MEMBER], names)).__getitem__)
            else:
                self._order = sorted(range(len(names)), key=names.__getitem__)
        return self._order

    @property
    def rows(self) -> list[tuple]:
        if self._rows is None:
            self._rows = list(map(list(zip(*self.columns)).__getitem__, self.order))
        return self._rows

    def groups(self, fields: tuple[int, ...]) -> tuple[dict[int, tuple], list[int]]:
        """The distinct combinations of the row ``fields`` (positions, sffi.symbols.spelling) and
        which one each row has, without a step per row in Python where the table's keys
        give them (sffi.symbols.symtab.Table).

        Returns:
            (group id -> the combination, the group id of each row in table order).
        """
        if self._columns is None and self.table.exact:
            pick = itemgetter(*fields) if len(fields) > 1 else lambda row, f=fields[0]: (row[f],)
            fields_of = self.table.fields
            return {key: pick(fields_of(key)) for key in set(self.table.keys)}, self.table.keys
        index: dict[tuple, int] = {}
        ids = list(map(index.setdefault, zip(*(self.columns[f] for f in fields)), count()))
        return {i: combination for combination, i in index.items()}, ids

    def lookup_rows(self) -> list[tuple]:
        """The rows, in an order in which rows of the same name come as in :attr:`rows`
        (table order for one ELF file, :attr:`rows` for an archive), unsorted where that
        allows: for callers that index them by name."""
        if self.kind == "archive":
            return self.rows
        return list(zip(*self.columns))

    def corrupt_versions(self) -> int:
        """How many of the symbols of a shared object or executable have a ``.gnu.version``
        index that names no version (shown as CORRUPT_VERSION; docs/symbols.md, "Exit status")."""
        if self.table is not None:
            return self.table.corrupt_versions()
        if self.kind not in ("shared", "executable"):  # an object's .symver names are no index
            return 0
        return self.columns[VERSION].count(CORRUPT_VERSION)

    def __repr__(self) -> str:
        return f"RowScan({self.path!r}, {self.kind!r}, <{len(self)} rows>, {self.members!r})"


def is_archive(head: bytes) -> bool:
    """sffi.symbols.archive.is_archive, without importing the archive reader."""
    return head[:8] in (b"!<arch>\n", b"!<thin>\n")


def iter_members(path):
    """sffi.symbols.archive.iter_members (imported on first use)."""
    from sffi.symbols.archive import iter_members as members

    return members(path)


def scan(path: str | os.PathLike, *, backend: str = "auto") -> list[Symbol]:
    """Every symbol of interest of an object, archive or shared object.

    Args:
        path: a ``.o``, ``.a``/``.rlib`` or ``.so`` (or ELF executable).
        backend: ``'auto'`` (the C decoder, else pyelftools), ``'pyelftools'`` or ``'lief'``
            (LIEF for shared objects and executables, pyelftools otherwise):
            the reference readers, same results, slower.
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
    from sffi.symbols.model import ScanResult, Symbol

    if backend == "auto":
        found = scan_rows(path)
        paused = _pause_gc()
        try:
            symbols = [Symbol(*row) for row in found.rows]
        finally:
            _resume_gc(paused)
        return ScanResult(found.path, found.kind, symbols, found.members)
    return _scan_reference(os.fspath(path), backend)


def scan_rows(path: str | os.PathLike, selection: str = "all") -> RowScan:
    """:func:`scan_file` without Symbol objects: the rows of the C decoder (pyelftools' where the
    extension is not built).

    For callers that print or compare every symbol of large tables
    (``sffi symbols``, ``sffi diff``).

    Args:
        path: as :func:`scan`.
        selection: ``'all'``, ``'exports'`` (the rows :func:`exports` would
            keep) or ``'undefined'`` (those :func:`undefined` would keep).
    Raises:
        ScanError: as :func:`scan`; ``ValueError`` for an unknown selection.
    """
    location = os.fspath(path)
    head, size = read_head(location)
    paused = _pause_gc()
    try:
        if is_archive(head):
            return _scan_archive(location, selection=selection)
        return _scan_elf(location, head, size, selection)
    finally:
        _resume_gc(paused)


def _pause_gc() -> bool:
    """Pause the cyclic garbage collector: decoding makes tens of thousands of tuples and no
    cycles, and the collector's passes over them cost ~10% of a scan (measured on libtorch).
    Returns whether it was running (for :func:`_resume_gc`)."""
    enabled = gc.isenabled()
    gc.disable()
    return enabled


def _resume_gc(enabled: bool) -> None:
    if enabled:
        gc.enable()


def _scan_elf(location: str, head: bytes, size: int, selection: str) -> RowScan:
    if head[:4] != ELF_MAGIC:
        raise ScanError(unsupported_message(location, head), location=location)
    try:
        with open(location, "rb") as f:
            if not symtab.available():
                kind, columns = read_columns(f, size, location=location, selection=selection)
                return RowScan(location, kind, columns)
            kind, table = read_table(f, size, location=location, selection=selection)
    except OSError as exc:
        raise ScanError(f"cannot read: {exc.strerror or exc}", location=location) from None
    return RowScan(location, kind, table=table)


#: The sections of DWARF debugging information entries (DWARF 5 §7.5; ``.zdebug_info``: compressed).
DEBUG_INFO_SECTIONS = (".debug_info", ".zdebug_info")


def has_section(path: str | os.PathLike, names: tuple[str, ...]) -> bool:
    """Whether an ELF file (or any ELF member of an archive) has a section named one of ``names``.

    Only the structure is read (sffi.symbols.layout), not the symbols: e.g.
    ``has_section(p, (".debug_info", ".zdebug_info"))`` for "has DWARF".

    Raises:
        ScanError: as :func:`scan`.
    """
    location = os.fspath(path)
    head, size = read_head(location)
    if is_archive(head):
        return any(m.data[:4] == ELF_MAGIC and _has_section(m.data, len(m.data),
                                                             f"{location}({m.name})", names)
                   for m in iter_members(location))
    if head[:4] != ELF_MAGIC:
        raise ScanError(unsupported_message(location, head), location=location)
    try:
        with open(location, "rb") as f:
            return _has_section(f, size, location, names)
    except OSError as exc:
        raise ScanError(f"cannot read: {exc.strerror or exc}", location=location) from None


def _has_section(source, size: int, location: str, names: tuple[str, ...]) -> bool:
    from sffi.symbols.layout import open_layout

    layout = open_layout(source, size, location)
    return any(layout.section_name(sec) in names for sec in layout.sections)


def _scan_reference(location: str, backend: str) -> ScanResult:
    """``backend='pyelftools'`` or ``'lief'``: sffi.symbols.reference."""
    from sffi.symbols import reference
    from sffi.symbols.model import ScanResult, Symbol, sort_symbols

    head, size = read_head(location)
    if is_archive(head):
        found = _scan_archive(location, reference.read_pyelftools)
        return ScanResult(location, "archive", sort_symbols(Symbol(*r) for r in found.rows),
                          found.members)
    if head[:4] != ELF_MAGIC:
        raise ScanError(unsupported_message(location, head), location=location)
    with open(location, "rb") as f:
        kind = _elf_kind(f)
        if backend == "lief" and kind != "object":
            kind, symbols = reference.read_shared_lief(location)
        else:
            kind, symbols = reference.read_pyelftools(f, size, location=location)
    return ScanResult(location, kind, sort_symbols(symbols))


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


def _scan_archive(path: str, reader=None, selection: str = "all") -> RowScan:
    """Every ELF member's rows; skip non-ELF members (refuse Mach-O-only archives).

    ``reader``: a reference reader (``read_pyelftools``) instead of the C
    decoder; its Symbols are returned as columns.
    """
    columns: list[list] = [[] for _ in range(VALUE + 1)]
    members: list[str] = []
    foreign = 0
    for m in iter_members(path):
        if m.data[:4] == ELF_MAGIC:
            where = f"{path}({m.name})"
            if reader is None:
                kind, found = read_columns(m.data, len(m.data), location=where, member=m.name,
                                           selection=selection)
            else:
                kind, syms = reader(io.BytesIO(m.data), len(m.data), location=where, member=m.name)
                found = zip(*(tuple(getattr(s, f) for f in s.__slots__) for s in syms))
            if kind != "object":
                raise ScanError(f"archive member is an ELF {kind}, not a relocatable object",
                                location=where)
            for column, part in zip(columns, found):
                column.extend(part)
            members.append(m.name)
        elif m.data[:4] in _MACHO_MAGICS:
            foreign += 1
    if foreign and not members:
        raise ScanError("not supported: archive of Mach-O objects (only ELF members are read)",
                        location=path)
    return RowScan(path, "archive", columns, tuple(members))
