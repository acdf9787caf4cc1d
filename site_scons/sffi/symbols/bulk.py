"""The bulk symbol-table decoder: a whole ``.symtab``/``.dynsym`` at once, no object per entry.

A symbol table is an array of fixed-size ``Elf32_Sym``/``Elf64_Sym`` entries
(gABI, "Symbol Table")::

    Elf64_Sym: st_name u32, st_info u8, st_other u8, st_shndx u16, st_value u64, st_size u64
    Elf32_Sym: st_name u32, st_value u32, st_size u32, st_info u8, st_other u8, st_shndx u16

:func:`decode_table` makes a :class:`Table`: the names, sliced from the string
table decoded once, and one integer *key* per symbol packing every other field
but the value, made in C from the table's bytes (strided slices of single
bytes, ``bytes.translate`` through 256-entry tables, integers of one byte per
symbol combined with ``&``/``|``, the key bytes assigned into one buffer read
as 64-bit integers). Symbols of one key share their spelled fields
(:meth:`Table.fields`), so a caller formats each key once: ``sffi symbols``
works on the names and keys, sorted by an index array. :meth:`Table.columns`
gives ten *columns*, one list per field of :class:`sffi.symbols.model.Symbol`,
in table order (:func:`decode_columns`), or the *rows* they make: tuples in
that field order (``Symbol(*row)`` makes the object) (:func:`decode`);
``sffi diff`` works on rows, or, for two shared objects, compares the
tables in C (:func:`diff_tables`) and makes rows only for the names that
differ (:meth:`Table.rows`); :func:`sffi.symbols.scan` turns them into
``Symbol`` objects.

The versions: ``.gnu.version`` is one 16-bit index per entry (bit ``0x8000``:
hidden), named through sffi.symbols.layout.version_names. Indexes 0 and 1 mean
unversioned; an index that names no version is :data:`CORRUPT_VERSION`
(:meth:`Table.corrupt_versions` counts them). In a relocatable object a GNU ``.symver`` name ``foo@@V``/``foo@V``
is split into the name and the version.

The C extension sffi.symbols._symtab (docs/symbols.md, "The C path") checks
the name offsets of a table (:func:`_check`), for ``sffi symbols``
sorts and writes its rows (:meth:`Table.render`), and for ``sffi diff``
compares two tables (:func:`diff_tables`); this module's Python is the
reference it is tested against, and what runs where the extension is missing.
"""

from __future__ import annotations

import sys
from array import array
from itertools import compress

from sffi.symbols.layout import Layout, version_names
from sffi.symbols.spelling import BINDINGS, TYPES, VISIBILITIES

#: The interface of sffi.symbols._symtab this module calls (its ``VERSION``).
SYMTAB_VERSION = 3
try:  # the C path (docs/symbols.md, "The C path"); this module is its reference
    from sffi.symbols import _symtab
except ImportError:  # pragma: no cover - a checkout whose extension is not built
    _symtab = None
if getattr(_symtab, "VERSION", SYMTAB_VERSION) != SYMTAB_VERSION:  # pragma: no cover - built from an older .c
    _symtab = None

SHN_UNDEF, SHN_COMMON = 0, 0xFFF2
VERSYM_HIDDEN = 0x8000
VER_NDX_GLOBAL = 1
#: The version of a symbol whose ``.gnu.version`` index names no version that
#: ``.gnu.version_d``/``.gnu.version_r`` define (a corrupt index, or a damaged definition):
#: what ``nm -D`` prints, never "unversioned" (a diff would then hide a change; issue 24).
CORRUPT_VERSION = "<corrupt>"

#: Row field positions (the order of Symbol's fields).
NAME, TYPE, BINDING, VISIBILITY, SIZE, DEFINED, MEMBER, VERSION, VERSION_HIDDEN, VALUE = range(10)

_TYPE_OF_INFO = [TYPES.get(i & 15, f"type{i & 15}") for i in range(256)]
_BIND_OF_INFO = [BINDINGS.get(i >> 4, f"bind{i >> 4}") for i in range(256)]
#: ``bytes.translate`` tables: one byte per symbol in, 0 or 1 (or the bits named) out.
_KEEP_INFO = bytes((i & 15) not in (3, 4) for i in range(256))  # STT_SECTION, STT_FILE: never reported
#: Reported, and bound global, weak or unique (sffi.symbols.model.EXPORT_BINDINGS).
_EXPORT_INFO = bytes((i & 15) not in (3, 4) and (i >> 4) in (1, 2, 10) for i in range(256))
#: Visibility default or protected (sffi.symbols.model.EXPORT_VISIBILITIES).
_EXPORT_OTHER = bytes((i & 3) in (0, 3) for i in range(256))
_VIS_BITS = bytes(i & 3 for i in range(256))
_NONZERO = bytes(i != 0 for i in range(256))
#: The low and the high byte of SHN_COMMON.
_IS_COMMON_LOW = bytes(i == SHN_COMMON & 0xFF for i in range(256))
_IS_COMMON_HIGH = bytes(i == SHN_COMMON >> 8 for i in range(256))
_PRINTABLE_OR_NUL = bytes([0, *range(0x20, 0x7F)])
#: Where byte *i* (0: the least significant) of a key lies in its 8 bytes in memory.
_HOST = list(range(8)) if sys.byteorder == "little" else list(range(7, -1, -1))
#: What :func:`decode` can select.
SELECTIONS = ("all", "exports", "undefined")
_NATIVE_LITTLE = sys.byteorder == "little"
#: Where st_value and st_size are: (typecode, index of the first entry's field, stride) in
#: units of the code.
_FIELDS64 = {"value": ("Q", 1, 3), "size": ("Q", 2, 3)}
_FIELDS32 = {"value": ("I", 1, 4), "size": ("I", 2, 4)}


def decode(layout: Layout, member: str | None = None, selection: str = "all") -> list[tuple]:
    """The symbols of ``layout``'s symbol table as rows, in table order.

    Args, Raises: as :func:`decode_columns`.
    """
    return list(zip(*decode_columns(layout, member, selection)))


def decode_columns(layout: Layout, member: str | None = None, selection: str = "all") -> list[list]:
    """The symbols of ``layout``'s symbol table as columns, in table order.

    Entry 0 and ``STT_SECTION``/``STT_FILE`` entries are left out; local,
    hidden and undefined ones are kept unless ``selection`` says otherwise.

    Args:
        layout: a checked file (sffi.symbols.layout.open_layout).
        member: the archive member name recorded in each row.
        selection: ``'all'``, ``'exports'`` (what sffi.symbols.exports keeps)
            or ``'undefined'`` (what sffi.symbols.undefined keeps); only those
            entries are decoded.
    Returns:
        Ten lists of equal length, one per field of a row (:data:`NAME` ...
        :data:`VALUE`): the *i*-th items of each make the *i*-th row.
    Raises:
        ScanError: a name offset outside the string table, a corrupt version section.
    """
    return decode_table(layout, member, selection).columns()


class Table:
    """One symbol table decoded by :func:`decode_table`: a name and an integer *key* per symbol.

    The key packs every field but the name, the member and the value: bits 0-31
    ``st_size`` (its low 32 bits), 32-39 ``st_info``, 40-41 the visibility
    (``st_other & 3``), 42 ``SHN_COMMON``, 43 defined (``st_shndx != 0``), 48-63 the
    ``.gnu.version`` index. Symbols of one key share their type, binding, visibility,
    size, definedness and version (:meth:`fields`), and a table of 75,000 symbols has
    a few thousand keys (most of them sizes), so a caller formats each key once.

    Attributes:
        names: the names, in table order (of a shared object or executable: made on first
            use where :attr:`accelerated`).
        keys: the key of each symbol (likewise).
        member: the archive member name, or None.
        exact: True when :meth:`fields` gives each symbol's row as it is: every size
            below 2**32 and (an object) no GNU ``.symver`` name ``foo@V`` to split
            (:meth:`columns` handles both).
        accelerated: True where the C extension checked the table, so that
            :attr:`survey` and :meth:`render` can be used.
    """

    __slots__ = ("_names", "_keys", "member", "exact", "kind", "_entries", "_keep", "_layout_facts",
                 "_vnames", "_fields", "_strings", "accelerated", "_survey", "_keybuf", "_lazy", "_versioned")

    def __init__(self, names, keys, member, exact, kind, entries=None, keep=None, facts=None, vnames=None,
                 strings=b"", accelerated=False, keybuf=None, lazy=None):
        self._names, self._keys, self.member, self.exact, self.kind = names, keys, member, exact, kind
        self._entries, self._keep, self._layout_facts, self._vnames = entries, keep, facts, vnames or {}
        self._versioned = vnames is not None  # it has a .gnu.version
        self._fields: dict[int, tuple] = {}
        self._strings = strings
        self.accelerated, self._survey, self._keybuf, self._lazy = accelerated, None, keybuf, lazy

    @property
    def survey(self) -> tuple[list[int], int, bool, int]:
        """(the distinct attributes ``key >> 32`` of the symbols, sorted; the largest
        ``st_size``; whether a name is empty; the length of the longest name), by
        sffi.symbols._symtab.survey (computed on first use; only where :attr:`accelerated`)."""
        if self._survey is None:
            is64, little = self._layout_facts
            self._survey = _symtab.survey(self._entries, self._strings, self._keybuf, self._keep, is64, little)
        return self._survey

    def __len__(self) -> int:
        return len(self._names) if self._names is not None else self._keep.count(1)

    @property
    def names(self) -> list[str]:
        if self._names is None:
            self._names = self._lazy()
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
        characters) or ``x + name + y + size + z``; rows joined by ``sep``. Only where
        :attr:`accelerated`; names as bytes of the string table, sizes in full."""
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
        (N symbols naming one long string: issue 24). Only where :attr:`accelerated`."""
        longest = self.survey[3]
        if len(self) * longest <= len(self._strings):
            return len(self) * longest
        offsets = list(compress(_offsets(self._entries, *self._layout_facts), self._keep))
        return len(self._strings) if len(set(offsets)) == len(offsets) else len(self) * longest

    def corrupt_versions(self) -> int:
        """How many of the symbols have a ``.gnu.version`` index that names no version (their
        version is :data:`CORRUPT_VERSION`): a corrupt index or a damaged ``.gnu.version_d``."""
        if not self._versioned or not len(self):
            return 0
        bad = {key for key in set(self.keys)
               if (key >> 48 & 0x7FFF) > VER_NDX_GLOBAL and (key >> 48 & 0x7FFF) not in self._vnames}
        return sum(map(bad.__contains__, self.keys)) if bad else 0

    def rows(self, indexes: list[int]) -> list[tuple]:
        """The rows of the entries ``indexes`` (counted from the first entry after the null one, as
        :func:`diff_tables` numbers them), as :meth:`columns` makes them (a shared object's: no
        ``.symver`` name to split); names decoded as :func:`_slice_names` does."""
        is64, little = self._layout_facts
        code, step = ("Q", 3) if is64 else ("I", 4)
        words = self._entries.cast(code) if little == _NATIVE_LITTLE else array(code, self._entries.tobytes())
        if little != _NATIVE_LITTLE:
            words.byteswap()
        offsets, keys, strings, fields = _offsets(self._entries, is64, little), memoryview(self._keybuf).cast("Q"), \
            self._strings, self.fields
        rows = []
        for i in indexes:
            row, offset = fields(keys[i]), offsets[i]  # offsets checked: inside the table, each name's NUL too
            name = strings[offset:strings.find(0, offset)].decode("utf-8", errors="replace")
            rows.append((name, *row[TYPE:SIZE], words[step * i + 2], *row[DEFINED:VALUE], words[step * i + 1]))
        return rows

    def columns(self) -> list[list]:
        """The ten columns of :func:`decode_columns`."""
        n = len(self.names)
        if not n:
            return [[] for _ in range(VALUE + 1)]
        rows = {key: self.fields(key) for key in set(self.keys)}
        _, types, binds, vis, sizes, defined, members, versions, hidden, _ = map(
            list, zip(*map(rows.__getitem__, self.keys)))
        columns = [list(self.names), types, binds, vis, sizes, defined, members, versions, hidden,
                   self._field("value")]
        if not self.exact:
            columns[SIZE] = self._field("size")
        if self.kind == "object":
            _split_symvers(columns)
        return columns

    def _field(self, field: str) -> list[int]:
        """``st_value`` or ``st_size`` of each symbol, in full."""
        is64, little = self._layout_facts
        code, start, step = (_FIELDS64 if is64 else _FIELDS32)[field]
        view = self._entries.cast(code)[start::step]
        if little != _NATIVE_LITTLE:
            values = array(code, view.tobytes())
            values.byteswap()
            view = values
        return list(compress(view, self._keep))


def decode_table(layout: Layout, member: str | None = None, selection: str = "all") -> Table:
    """The symbols of ``layout``'s symbol table as a :class:`Table`, in table order.

    Which entries, the arguments and errors: as :func:`decode_columns`. Every
    per-symbol step but the names runs in C over whole byte strings: strided
    slices of the table, ``bytes.translate`` through 256-entry tables, and
    integers of one byte per symbol combined with ``&``/``|``.
    """
    if selection not in SELECTIONS:
        raise ValueError(f"selection must be one of {SELECTIONS}, not {selection!r}")
    facts = (layout.is64, layout.little)
    entsize = 24 if layout.is64 else 16
    raw = layout.data(layout.table) if layout.table is not None else b""
    count = len(raw) // entsize - 1
    if count <= 0:
        return Table([], [], member, True, layout.kind, facts=facts)
    entries = memoryview(raw)[entsize:]
    field = lambda at: bytes(entries[at::entsize])  # noqa: E731 - one byte of every entry
    info_at, other_at, shndx_at, size_at = (4, 5, 6, 16) if layout.is64 else (12, 13, 14, 8)
    info, other = field(info_at), field(other_at)
    low, high = (shndx_at, shndx_at + 1) if layout.little else (shndx_at + 1, shndx_at)
    shndx_low, shndx_high = field(low), field(high)
    defined = _int(shndx_low.translate(_NONZERO)) | _int(shndx_high.translate(_NONZERO))
    common = _int(shndx_low.translate(_IS_COMMON_LOW)) & _int(shndx_high.translate(_IS_COMMON_HIGH))
    if selection == "exports":
        keep = _int(info.translate(_EXPORT_INFO)) & _int(other.translate(_EXPORT_OTHER)) & defined
    elif selection == "undefined":
        keep = _int(info.translate(_KEEP_INFO)) & ~defined
    else:
        keep = _int(info.translate(_KEEP_INFO))
    keep = keep.to_bytes(count, "little")
    width = 8 if layout.is64 else 4
    size_bytes = [field(size_at + (i if layout.little else width - 1 - i)) for i in range(width)]
    flags = _int(other.translate(_VIS_BITS)) | common << 2 | defined << 3
    vnames = version_names(layout) if layout.versym is not None else None
    key = _key_bytes(layout, count, [*size_bytes[:4], info, flags.to_bytes(count, "little")])
    strings = layout.data(layout.strtab)
    exact = not any(b.strip(b"\0") for b in size_bytes[4:])
    accelerated = _symtab is not None
    if accelerated:
        _check(layout, entries, strings, keep)
        if layout.kind != "object":  # an object's names now, for its .symver names
            return Table(None, None, member, exact, layout.kind, entries, keep, facts, vnames, strings, True, key,
                         lambda: _slice_names(strings, compress(_offsets(entries, *facts), keep)))
    keys = list(compress(memoryview(key).cast("Q"), keep))
    names = _names(layout, strings, _offsets(entries, *facts), keep)
    if exact and layout.kind == "object" and "@" in "".join(names):
        exact = False
    return Table(names, keys, member, exact, layout.kind, entries, keep, facts, vnames, strings, accelerated, key)


def _check(layout: Layout, entries: memoryview, strings: bytes, keep: bytes) -> None:
    """sffi.symbols._symtab.check, its errors those of :func:`_names`."""
    try:
        _symtab.check(entries, strings, keep, layout.is64, layout.little)
    except ValueError as exc:
        if len(exc.args) != 2:
            raise layout.error(f"corrupt ELF symbol table: {exc}") from None
        bad, offset = exc.args
        raise layout.error(f"corrupt ELF symbol table: symbol {bad + 1}'s name offset {offset} lies outside "
                           f"{layout.section_name(layout.strtab)} ({len(strings)} bytes)") from None


def _key_bytes(layout: Layout, count: int, low: list[bytes]) -> bytearray:
    """The keys of :class:`Table`, 8 bytes each in host order: bytes 0-5 (least significant
    first) from ``low`` (one byte per symbol each), 6-7 the ``.gnu.version`` index (zero
    without one, or past the end of a short one)."""
    key = bytearray(8 * count)
    for i, part in enumerate(low):
        key[_HOST[i]::8] = part
    if layout.versym is not None:
        versym = layout.data(layout.versym)[2:2 + 2 * count]
        versym = versym[:len(versym) // 2 * 2].ljust(2 * count, b"\0")  # whole entries only
        first, second = versym[0::2], versym[1::2]
        key[_HOST[6]::8], key[_HOST[7]::8] = (first, second) if layout.little else (second, first)
    return key


def _int(flags: bytes) -> int:
    """One byte per symbol as an integer (symbol *i* in byte *i*), to combine with ``&``/``|``."""
    return int.from_bytes(flags, "little")


def _offsets(entries: memoryview, is64: bool, little: bool) -> list[int]:
    """``st_name`` of every entry."""
    view = entries.cast("I")[0::6 if is64 else 4]
    if little == _NATIVE_LITTLE:
        return view.tolist()
    values = array("I", view.tobytes())
    values.byteswap()
    return values.tolist()


def _names(layout: Layout, data: bytes, offsets: list[int], wanted) -> list[str]:
    """The names at ``offsets`` (those ``wanted``) in the symbol table's string table ``data``.

    The table ends with a NUL byte (sffi.symbols.layout checked it), so each
    name ends inside it. Names are decoded as UTF-8 with replacement, as
    pyelftools does; an ASCII table (the usual case) is decoded once.

    Raises:
        ScanError: any entry's offset outside the string table (offset 0, the
            empty name, is always allowed).
    """
    if offsets and max(offsets) >= len(data):
        bad = next((i for i, o in enumerate(offsets) if o and o >= len(data)), None)
        if bad is not None:
            raise layout.error(f"corrupt ELF symbol table: symbol {bad + 1}'s name offset "
                               f"{offsets[bad]} lies outside {layout.section_name(layout.strtab)} "
                               f"({len(data)} bytes)")
        return ["" for _ in compress(offsets, wanted)]  # an empty table, only empty names
    return _slice_names(data, compress(offsets, wanted))


def _slice_names(data: bytes, offsets) -> list[str]:
    """The names at ``offsets`` (an iterable of ints, each inside ``data``, which ends with
    a NUL byte) in the string table ``data``: :func:`_names` once the offsets are checked.
    (A closure over this, not over the layout, keeps a table's names for later: the layout
    holds the sections it read.)

    One string per distinct offset, shared by every symbol that names it: N symbols
    pointing at one long name (a hostile file, issue 24) cost N references, not N copies."""
    offsets = list(offsets)
    made = dict.fromkeys(offsets)
    if len(made) == len(offsets):  # all distinct (the usual case): no sharing to do
        if data.isascii():
            text = data.decode("ascii")
            find = text.find
            return [text[o:find("\0", o)] for o in offsets]
        find = data.find
        return [data[o:find(0, o)].decode("utf-8", errors="replace") for o in offsets]
    if data.isascii():
        text = data.decode("ascii")
        find = text.find
        for o in made:
            made[o] = text[o:find("\0", o)]
    else:
        find = data.find
        for o in made:
            made[o] = data[o:find(0, o)].decode("utf-8", errors="replace")
    return list(map(made.__getitem__, offsets))


def _split_symvers(columns: list[list]) -> None:
    """Object files: ``foo@@V`` -> (foo, V, default), ``foo@V`` -> (foo, V, hidden), in place."""
    names, versions, hidden = columns[NAME], columns[VERSION], columns[VERSION_HIDDEN]
    for i, name in enumerate(names):
        if "@" in name:
            names[i], versions[i], hidden[i] = split_symver(name)


def split_symver(name: str) -> tuple[str, str | None, bool]:
    """``foo@@V`` -> (foo, V, False); ``foo@V`` -> (foo, V, True); ``foo`` -> (foo, None, False)."""
    base, at, rest = name.partition("@")
    if not at or not base or not rest.strip("@"):
        return name, None, False
    if rest.startswith("@"):
        return base, rest.lstrip("@"), False
    return base, rest, True


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
        old, new: tables of shared objects or executables (:attr:`Table.accelerated`,
            ``selection='all'``) whose string tables are ASCII without a newline (names
            compared as bytes; sffi.report.diff_inputs._RUST_HASHED's ``.`` and ``$``).
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
    (:data:`CORRUPT_VERSION`)."""
    corrupt = ids.setdefault(CORRUPT_VERSION, len(ids) + 1) | 1 << 31
    vids = array("I", [corrupt]) * VERSYM_HIDDEN  # (without a .gnu.version every index is 0: unread)
    for index, name in table._vnames.items():
        if VER_NDX_GLOBAL < index < VERSYM_HIDDEN:
            vids[index] = ids.setdefault(name, len(ids) + 1)
    return vids
