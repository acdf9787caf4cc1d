"""Symbol tables decoded by the C extension sffi.symbols._symtab: no Python object per entry.

A symbol table is an array of fixed-size ``Elf32_Sym``/``Elf64_Sym`` entries
(gABI, "Symbol Table")::

    Elf64_Sym: st_name u32, st_info u8, st_other u8, st_shndx u16, st_value u64, st_size u64
    Elf32_Sym: st_name u32, st_value u32, st_size u32, st_info u8, st_other u8, st_shndx u16

:func:`decode_table` hands the table's bytes, its string table and ``.gnu.version``
to ``_symtab.decode``, which reads every entry (either class, either byte order) into
the selection (one byte per entry) and one integer *key* per entry packing every
field but the name and the value, and checks every name offset against the string
table. The :class:`Table` made from them gives the names (``_symtab.names``: one
string per distinct offset), the keys, the spelled fields of a key
(:meth:`Table.fields`, so that a caller formats each key once), the ten *columns* of
:class:`sffi.symbols.model.Symbol`'s fields (:meth:`Table.columns`) and, for ``sffi
symbols``, the rows sorted and written in C (:meth:`Table.render`); ``sffi diff``
compares two shared objects' tables in C (:func:`diff_tables`) and makes rows only
for the names that differ (:meth:`Table.rows`).

The versions: ``.gnu.version`` is one 16-bit index per entry (bit ``0x8000``:
hidden), named through sffi.symbols.layout.version_names. Indexes 0 and 1 mean
unversioned; an index that names no version is
:data:`sffi.symbols.spelling.CORRUPT_VERSION` (:meth:`Table.corrupt_versions`
counts them). In a relocatable object a GNU ``.symver`` name ``foo@@V``/``foo@V``
is split into the name and the version.

Where the extension is missing (no compiler when sffi was installed) or was built
from an older ``_symtab.c`` (its ``VERSION`` is not :data:`SYMTAB_VERSION`),
:data:`_symtab` is None and the readers use pyelftools (sffi.symbols.reference):
the same symbols, slower. The tests compare the two on every file they read.
"""

from __future__ import annotations

from array import array
from itertools import compress

from sffi.symbols.layout import Layout, version_names
from sffi.symbols.spelling import (BINDINGS, CORRUPT_VERSION, DEFINED, SIZE, TYPE, TYPES, VALUE, VER_NDX_GLOBAL,
                                   VERSION, VERSION_HIDDEN, VERSYM_HIDDEN, VISIBILITIES, NAME, split_symver)

#: The interface of sffi.symbols._symtab this module calls (its ``VERSION``).
SYMTAB_VERSION = 4
try:  # docs/symbols.md, "The C path"
    from sffi.symbols import _symtab
except ImportError:  # pragma: no cover - a checkout whose extension is not built
    _symtab = None
if getattr(_symtab, "VERSION", SYMTAB_VERSION) != SYMTAB_VERSION:  # pragma: no cover - built from an older .c
    _symtab = None

_TYPE_OF_INFO = [TYPES.get(i & 15, f"type{i & 15}") for i in range(256)]
_BIND_OF_INFO = [BINDINGS.get(i >> 4, f"bind{i >> 4}") for i in range(256)]
_PRINTABLE_OR_NUL = bytes([0, *range(0x20, 0x7F)])
#: What :func:`decode_table` can select, in the numbering of ``_symtab.decode``.
SELECTIONS = ("all", "exports", "undefined")
#: ``_symtab.column``'s fields.
_ST_VALUE, _ST_SIZE, _ST_NAME = range(3)


def available() -> bool:
    """True when the C extension is built and current (else the readers use pyelftools)."""
    return _symtab is not None


class Table:
    """One symbol table decoded by :func:`decode_table`: a name and an integer *key* per symbol.

    The key packs every field but the name, the member and the value: bits 0-31
    ``st_size`` (its low 32 bits), 32-39 ``st_info``, 40-41 the visibility
    (``st_other & 3``), 42 ``SHN_COMMON``, 43 defined (``st_shndx != 0``), 48-63 the
    ``.gnu.version`` index. Symbols of one key share their type, binding, visibility,
    size, definedness and version (:meth:`fields`), and a table of 75,000 symbols has
    a few thousand keys (most of them sizes), so a caller formats each key once.

    Attributes:
        names: the selected symbols' names, in table order (made on first use).
        keys: the key of each selected symbol (likewise).
        member: the archive member name, or None.
        exact: True when :meth:`fields` gives each symbol's row as it is: every size
            below 2**32 and (an object) no GNU ``.symver`` name ``foo@V`` to split
            (:meth:`columns` handles both).
        kind: ``'object'``, ``'shared'`` or ``'executable'``.
    """

    __slots__ = ("_names", "_keys", "member", "exact", "kind", "_entries", "_keep", "_layout_facts",
                 "_vnames", "_fields", "_strings", "_survey", "_keybuf", "_versioned")

    def __init__(self, entries: memoryview | bytes, strings: bytes, keep: bytes, keybuf: bytearray,
                 facts: tuple[bool, bool], member: str | None, exact: bool, kind: str,
                 vnames: dict[int, str] | None):
        """Args: the entries after the null one, the string table, ``_symtab.decode``'s
        selection and keys, (is64, little), the member, whether exact, the kind, the
        version names by index (None: no ``.gnu.version``)."""
        self._entries, self._strings, self._keep, self._keybuf = entries, strings, keep, keybuf
        self._layout_facts, self.member, self.exact, self.kind = facts, member, exact, kind
        self._vnames, self._versioned = vnames or {}, vnames is not None
        self._names = self._keys = self._survey = None
        self._fields: dict[int, tuple] = {}

    @property
    def survey(self) -> tuple[list[int], int, bool, int]:
        """(the distinct attributes ``key >> 32`` of the symbols, sorted; the largest
        ``st_size``; whether a name is empty; the length of the longest name), by
        sffi.symbols._symtab.survey (computed on first use)."""
        if self._survey is None:
            is64, little = self._layout_facts
            self._survey = _symtab.survey(self._entries, self._strings, self._keybuf, self._keep, is64, little)
        return self._survey

    def __len__(self) -> int:
        return len(self._names) if self._names is not None else self._keep.count(1)

    @property
    def names(self) -> list[str]:
        if self._names is None:
            self._names = _symtab.names(self._entries, self._strings, self._keep, *self._layout_facts)
        return self._names

    @property
    def keys(self) -> list[int]:
        if self._keys is None:
            self._keys = list(compress(memoryview(self._keybuf).cast("Q"), self._keep))
        return self._keys

    def render(self, parts: dict[int, tuple[bytes, bytes, bytes]], width: int, text: bool, sep: bytes) -> bytes:
        """The rows of the symbols sorted by name (as sffi.symbols.RowScan.order sorts an ASCII
        table), made in C (sffi.symbols._symtab.render): for the attributes ``a`` of a key
        (``key >> 32``: everything but the size), ``parts[a]`` = (x, y, z) makes a row
        ``x + size + y + name + z`` (``text``: the size left-aligned in ``width``
        characters) or ``x + name + y + size + z``; rows joined by ``sep``. Names as bytes
        of the string table, sizes in full.

        Raises:
            KeyError: an attribute without parts.
        """
        is64, little = self._layout_facts
        return _symtab.render(self._entries, self._strings, self._keybuf, self._keep, is64, little,
                              parts, width, text, sep)

    def only_printable(self, excluding: bytes = b"") -> bool:
        """True when every name is printable ASCII (bytes 0x20-0x7e) without any of the
        bytes ``excluding``. The whole string table is checked at once (a few ms for
        libtorch's 5 MB), so False may also mean that another of its strings is not."""
        return not self._strings.translate(None, _PRINTABLE_OR_NUL.translate(None, excluding))

    def fields(self, key: int) -> tuple:
        """The row of a symbol of ``key``, its name and value None (sizes below 2**32; an
        object's ``.symver`` names not split: see :attr:`exact`)."""
        row = self._fields.get(key)
        if row is None:
            info, flags, index = key >> 32 & 255, key >> 40 & 15, key >> 48
            low = index & 0x7FFF
            version = self._vnames.get(low, CORRUPT_VERSION) if low > VER_NDX_GLOBAL else None
            row = self._fields[key] = (
                None, "common" if flags & 4 else _TYPE_OF_INFO[info], _BIND_OF_INFO[info],
                VISIBILITIES[flags & 3], key & 0xFFFFFFFF, bool(flags & 8), self.member, version,
                bool(index & VERSYM_HIDDEN) and version is not None, None)
        return row

    def name_bytes(self) -> int:
        """An upper bound of the total length of the symbols' names (bytes): the string table's
        size when no two symbols share a name offset, else their count times the longest name
        (N symbols naming one long string: issue 24)."""
        longest = self.survey[3]
        if len(self) * longest <= len(self._strings):
            return len(self) * longest
        offsets = self._column(_ST_NAME)
        return len(self._strings) if len(set(offsets)) == len(offsets) else len(self) * longest

    def corrupt_versions(self) -> int:
        """How many of the symbols have a ``.gnu.version`` index that names no version (their
        version is CORRUPT_VERSION): a corrupt index or a damaged ``.gnu.version_d``."""
        if not self._versioned or not len(self):
            return 0
        bad = {key for key in set(self.keys)
               if (key >> 48 & 0x7FFF) > VER_NDX_GLOBAL and (key >> 48 & 0x7FFF) not in self._vnames}
        return sum(map(bad.__contains__, self.keys)) if bad else 0

    def rows(self, indexes: list[int]) -> list[tuple]:
        """The rows of the entries ``indexes`` (counted from the first entry after the null one, as
        :func:`diff_tables` numbers them), as :meth:`columns` makes them (a shared object's: no
        ``.symver`` name to split).

        Raises:
            IndexError: an index past the table.
        """
        keys, fields = memoryview(self._keybuf).cast("Q"), self.fields
        found = _symtab.entries(self._entries, self._strings, *self._layout_facts, indexes)
        return [(name, *row[TYPE:SIZE], size, *row[DEFINED:VALUE], value)
                for row, (name, size, value) in zip(map(fields, map(keys.__getitem__, indexes)), found)]

    def columns(self) -> list[list]:
        """Ten lists of equal length, one per field of sffi.symbols.model.Symbol (NAME ... VALUE
        of sffi.symbols.spelling): the *i*-th items of each make the *i*-th row, in table order."""
        n = len(self.names)
        if not n:
            return [[] for _ in range(VALUE + 1)]
        rows = {key: self.fields(key) for key in set(self.keys)}
        _, types, binds, vis, sizes, defined, members, versions, hidden, _ = map(
            list, zip(*map(rows.__getitem__, self.keys)))
        columns = [list(self.names), types, binds, vis, sizes, defined, members, versions, hidden,
                   self._column(_ST_VALUE)]
        if not self.exact:
            columns[SIZE] = self._column(_ST_SIZE)
        if self.kind == "object":
            _split_symvers(columns)
        return columns

    def _column(self, field: int) -> list[int]:
        """``st_value``, ``st_size`` or ``st_name`` of each symbol, in full (``_symtab.column``)."""
        return _symtab.column(self._entries, self._keep, *self._layout_facts, field)


def decode_table(layout: Layout, member: str | None = None, selection: str = "all") -> Table:
    """The symbols of ``layout``'s symbol table as a :class:`Table`, in table order.

    Entry 0 and ``STT_SECTION``/``STT_FILE`` entries are left out; local,
    hidden and undefined ones are kept unless ``selection`` says otherwise.
    Only where :func:`available`.

    Args:
        layout: a checked file (sffi.symbols.layout.open_layout).
        member: the archive member name recorded in each row.
        selection: ``'all'``, ``'exports'`` (what sffi.symbols.exports keeps)
            or ``'undefined'`` (what sffi.symbols.undefined keeps).
    Raises:
        ScanError: a name offset outside the string table, a corrupt version section.
        ValueError: an unknown selection.
    """
    if selection not in SELECTIONS:
        raise ValueError(f"selection must be one of {SELECTIONS}, not {selection!r}")
    facts = (layout.is64, layout.little)
    entsize = 24 if layout.is64 else 16
    raw = layout.data(layout.table) if layout.table is not None else b""
    if len(raw) < 2 * entsize:  # no table, or only its null entry: nothing to read or check
        return Table(b"", b"", b"", bytearray(), facts, member, True, layout.kind, None)
    entries = memoryview(raw)[entsize:]
    vnames = version_names(layout) if layout.versym is not None else None
    versym = layout.data(layout.versym)[2:] if layout.versym is not None else None
    strings = layout.data(layout.strtab) if layout.strtab is not None else b""
    try:
        keep, keys, exact = _symtab.decode(entries, strings, versym, *facts, SELECTIONS.index(selection))
    except ValueError as exc:
        if len(exc.args) != 2:
            raise layout.error(f"corrupt ELF symbol table: {exc}") from None
        bad, offset = exc.args
        raise layout.error(f"corrupt ELF symbol table: symbol {bad + 1}'s name offset {offset} lies outside "
                           f"{layout.section_name(layout.strtab)} ({len(strings)} bytes)") from None
    table = Table(entries, strings, keep, keys, facts, member, exact, layout.kind, vnames)
    if exact and layout.kind == "object" and "@" in "".join(table.names):  # an object's names now, for .symver
        table.exact = False
    return table


def _split_symvers(columns: list[list]) -> None:
    """Object files: ``foo@@V`` -> (foo, V, default), ``foo@V`` -> (foo, V, hidden), in place."""
    names, versions, hidden = columns[NAME], columns[VERSION], columns[VERSION_HIDDEN]
    for i, name in enumerate(names):
        if "@" in name:
            names[i], versions[i], hidden[i] = split_symver(name)


#: The st_info type that ``SHN_COMMON`` is spelled as (``'common'``, as STT_COMMON).
_COMMON_TYPE = next(t for t in range(16) if _TYPE_OF_INFO[t] == "common")
#: The most bytes of names per side :func:`diff_tables` sorts (as ``sffi symbols``' C path prints).
DIFF_NAME_BYTES = 1 << 26


def diff_tables(old: Table, new: Table, variable_types: frozenset[str]) -> tuple | None:
    """The exports of two shared objects compared in C (sffi.symbols._symtab.diff), for ``sffi diff``.

    Each side is reduced as sffi.report.diff_inputs reads a library: its defined symbols but a
    version node's own symbol (named as its version) and Rust-hashed names; per name, the export
    of the strongest binding (first in table order) and the first local or hidden symbol. The two
    are sorted by name and walked together; a name comes back when one side exports it and the
    other does not, or when the exports differ in type, binding, visibility, size or version.

    Args:
        old, new: tables of shared objects or executables (``selection='all'``) whose string
            tables are ASCII without a newline (names compared as bytes;
            sffi.report.diff_inputs._RUST_HASHED's ``.`` and ``$``).
        variable_types: the type spellings of variables (sffi.report.diff: how many functions
            both sides export).
    Returns:
        None when a side's names total more than :data:`DIFF_NAME_BYTES` (the caller takes the
        Python path); else ``(changes, (ignored old, new), (corrupt old, new), functions)``:
        ``changes`` one ``(export old, export new, private old, private new)`` per differing name,
        sorted by name, each an entry index for :meth:`Table.rows` or None; ``ignored`` the
        Rust-hashed names left out; ``corrupt`` as :meth:`Table.corrupt_versions`; ``functions``
        how many names both sides export as functions (no variable type on either side).
    Raises:
        ValueError: buffers shorter than the tables (cannot be: the decoder made them).
    """
    ids: dict[str, int] = {}
    sides = [(t._entries, t._strings, t._keybuf, t._keep, *t._layout_facts, _version_ids(t, ids))
             for t in (old, new)]
    vnames = [b"", *(name.encode() for name in ids)]
    variable = bytes(_TYPE_OF_INFO[t] in variable_types for t in range(16))
    return _symtab.diff(*sides, vnames, _COMMON_TYPE, variable, DIFF_NAME_BYTES)


def _version_ids(table: Table, ids: dict[str, int]) -> array:
    """The id (1 + its position in ``ids``, shared by both sides; 0: unversioned) of each
    ``.gnu.version`` index's version name, bit 31 set for an index naming no version
    (CORRUPT_VERSION)."""
    corrupt = ids.setdefault(CORRUPT_VERSION, len(ids) + 1) | 1 << 31
    vids = array("I", [corrupt]) * VERSYM_HIDDEN  # (without a .gnu.version every index is 0: unread)
    for index, name in table._vnames.items():
        if VER_NDX_GLOBAL < index < VERSYM_HIDDEN:
            vids[index] = ids.setdefault(name, len(ids) + 1)
    return vids
