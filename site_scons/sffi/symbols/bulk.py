"""The bulk symbol-table decoder: a whole ``.symtab``/``.dynsym`` at once, no object per entry.

A symbol table is an array of fixed-size ``Elf32_Sym``/``Elf64_Sym`` entries
(gABI, "Symbol Table")::

    Elf64_Sym: st_name u32, st_info u8, st_other u8, st_shndx u16, st_value u64, st_size u64
    Elf32_Sym: st_name u32, st_value u32, st_size u32, st_info u8, st_other u8, st_shndx u16

Each field is one strided slice of a ``memoryview`` cast to the field's width
(byte-swapped for a file of the other byte order), so decoding runs in C;
names are sliced from the string table decoded once; the per-field spellings
come from 256-entry lookup tables. The result is a list of *rows*: tuples in
the field order of :class:`sffi.symbols.model.Symbol` (``Symbol(*row)`` makes
the object), sorted by (member, name). Commands that print or compare every
symbol (``sffi symbols``, ``sffi diff``) work on rows; :func:`sffi.symbols.scan`
turns them into ``Symbol`` objects.

The versions: ``.gnu.version`` is one 16-bit index per entry (bit ``0x8000``:
hidden), named through sffi.symbols.layout.version_names. Indexes 0 and 1 mean
unversioned. In a relocatable object a GNU ``.symver`` name ``foo@@V``/``foo@V``
is split into the name and the version.
"""

from __future__ import annotations

import sys
from array import array
from itertools import compress, repeat
from operator import and_, itemgetter, not_

from sffi.symbols.layout import Layout, version_names
from sffi.symbols.spelling import BINDINGS, TYPES, VISIBILITIES

SHN_UNDEF, SHN_COMMON = 0, 0xFFF2
VERSYM_HIDDEN = 0x8000
VER_NDX_GLOBAL = 1

#: Row field positions (the order of Symbol's fields).
NAME, TYPE, BINDING, VISIBILITY, SIZE, DEFINED, MEMBER, VERSION, VERSION_HIDDEN, VALUE = range(10)

_TYPE_OF_INFO = [TYPES.get(i & 15, f"type{i & 15}") for i in range(256)]
_BIND_OF_INFO = [BINDINGS.get(i >> 4, f"bind{i >> 4}") for i in range(256)]
_VIS_OF_OTHER = [VISIBILITIES[i & 3] for i in range(256)]
#: STT_SECTION (3) and STT_FILE (4) entries are never reported.
_KEEP_OF_INFO = [(i & 15) not in (3, 4) for i in range(256)]
#: Reported, and bound global, weak or unique (sffi.symbols.model.EXPORT_BINDINGS).
_EXPORT_OF_INFO = [(i & 15) not in (3, 4) and (i >> 4) in (1, 2, 10) for i in range(256)]
#: Visibility default or protected (sffi.symbols.model.EXPORT_VISIBILITIES).
_EXPORT_OF_OTHER = [(i & 3) in (0, 3) for i in range(256)]
#: What :func:`decode` can select.
SELECTIONS = ("all", "exports", "undefined")
_NATIVE_LITTLE = sys.byteorder == "little"
#: Where each field is: (typecode, index of the first entry's field, stride) in units of the code.
_FIELDS64 = {"name": ("I", 0, 6), "info": ("B", 4, 24), "other": ("B", 5, 24),
             "shndx": ("H", 3, 12), "value": ("Q", 1, 3), "size": ("Q", 2, 3)}
_FIELDS32 = {"name": ("I", 0, 4), "value": ("I", 1, 4), "size": ("I", 2, 4),
             "info": ("B", 12, 16), "other": ("B", 13, 16), "shndx": ("H", 7, 8)}

name_key = itemgetter(NAME)
member_name_key = itemgetter(MEMBER, NAME)


def decode(layout: Layout, member: str | None = None, selection: str = "all") -> list[tuple]:
    """The symbols of ``layout``'s symbol table as rows, in table order.

    Entry 0 and ``STT_SECTION``/``STT_FILE`` entries are left out; local,
    hidden and undefined ones are kept unless ``selection`` says otherwise.

    Args:
        layout: a checked file (sffi.symbols.layout.open_layout).
        member: the archive member name recorded in each row.
        selection: ``'all'``, ``'exports'`` (what sffi.symbols.exports keeps)
            or ``'undefined'`` (what sffi.symbols.undefined keeps); only those
            rows are made.
    Raises:
        ScanError: a name offset outside the string table.
    """
    if layout.table is None:
        return []
    raw = layout.data(layout.table)
    entsize = 24 if layout.is64 else 16
    if len(raw) <= entsize:
        return []
    cols = _columns(memoryview(raw)[entsize:], layout)
    keep = _keep(cols, selection)
    versions, hidden = _versions(layout, len(keep))
    info, shndx = list(compress(cols["info"], keep)), list(compress(cols["shndx"], keep))
    names = _names(layout, cols["name"], keep)
    types = list(map(_TYPE_OF_INFO.__getitem__, info))
    if SHN_COMMON in shndx:
        types = ["common" if s == SHN_COMMON else t for t, s in zip(types, shndx)]
    rows = list(zip(names, types, map(_BIND_OF_INFO.__getitem__, info),
                    map(_VIS_OF_OTHER.__getitem__, compress(cols["other"], keep)),
                    compress(cols["size"], keep), map(bool, shndx), repeat(member),
                    compress(versions, keep), compress(hidden, keep), compress(cols["value"], keep)))
    if layout.kind == "object":
        rows = _split_symvers(rows)
    return rows


def _keep(cols: dict[str, list[int]], selection: str) -> list[bool]:
    """Per entry: is it reported under ``selection``?"""
    info, shndx = cols["info"], cols["shndx"]
    if selection == "exports":
        keep = map(and_, map(_EXPORT_OF_INFO.__getitem__, info),
                   map(_EXPORT_OF_OTHER.__getitem__, cols["other"]))
        return list(map(and_, keep, map(bool, shndx)))
    keep = map(_KEEP_OF_INFO.__getitem__, info)
    if selection == "undefined":
        return list(map(and_, keep, map(not_, shndx)))
    if selection != "all":
        raise ValueError(f"selection must be one of {SELECTIONS}, not {selection!r}")
    return list(keep)


def _columns(entries: memoryview, layout: Layout) -> dict[str, list[int]]:
    """Each field of every entry, as a list of ints (entries from 1 on)."""
    swap = layout.little != _NATIVE_LITTLE
    cols = {}
    for field, (code, start, step) in (_FIELDS64 if layout.is64 else _FIELDS32).items():
        view = entries.cast(code)[start::step]
        if swap and code != "B":
            values = array(code, view.tobytes())
            values.byteswap()
            cols[field] = values.tolist()
        else:
            cols[field] = view.tolist()
    return cols


def _names(layout: Layout, offsets: list[int], wanted: list[bool]) -> list[str]:
    """The names at ``offsets`` (those ``wanted``) in the symbol table's string table.

    The table ends with a NUL byte (sffi.symbols.layout checked it), so each
    name ends inside it. Names are decoded as UTF-8 with replacement, as
    pyelftools does; an ASCII table (the usual case) is decoded once.

    Raises:
        ScanError: any entry's offset outside the string table (offset 0, the
            empty name, is always allowed).
    """
    data = layout.data(layout.strtab)
    if offsets and max(offsets) >= len(data):
        bad = next((i for i, o in enumerate(offsets) if o and o >= len(data)), None)
        if bad is not None:
            raise layout.error(f"corrupt ELF symbol table: symbol {bad + 1}'s name offset "
                               f"{offsets[bad]} lies outside {layout.section_name(layout.strtab)} "
                               f"({len(data)} bytes)")
        return ["" for _ in compress(offsets, wanted)]  # an empty table, only empty names
    offsets = list(compress(offsets, wanted))
    if data.isascii():
        text = data.decode("ascii")
        find = text.find
        return [text[o:find("\0", o)] for o in offsets]
    find = data.find
    return [data[o:find(0, o)].decode("utf-8", errors="replace") for o in offsets]


def _versions(layout: Layout, count: int):
    """(version names, hidden flags) per entry from 1 on; iterables of ``count`` items."""
    if layout.versym is None:
        return repeat(None, count), repeat(False, count)
    data = layout.data(layout.versym)
    indexes = array("H")
    indexes.frombytes(data[: len(data) // 2 * 2])
    if layout.little != _NATIVE_LITTLE:
        indexes.byteswap()
    raw = indexes[1:count + 1].tolist()
    raw += [0] * (count - len(raw))  # a short .gnu.version: the rest unversioned
    vnames = version_names(layout)
    name_of, hidden_of = {}, {}
    for index in set(raw):
        low = index & 0x7FFF
        name = vnames.get(low) if low > VER_NDX_GLOBAL else None
        name_of[index], hidden_of[index] = name, bool(index & VERSYM_HIDDEN) and name is not None
    return map(name_of.__getitem__, raw), map(hidden_of.__getitem__, raw)


def _split_symvers(rows: list[tuple]) -> list[tuple]:
    """Object files: ``foo@@V`` -> (foo, V, default), ``foo@V`` -> (foo, V, hidden)."""
    for i, row in enumerate(rows):
        if "@" in row[NAME]:
            name, version, hidden = split_symver(row[NAME])
            rows[i] = (name, *row[TYPE:MEMBER + 1], version, hidden, row[VALUE])
    return rows


def split_symver(name: str) -> tuple[str, str | None, bool]:
    """``foo@@V`` -> (foo, V, False); ``foo@V`` -> (foo, V, True); ``foo`` -> (foo, None, False)."""
    base, at, rest = name.partition("@")
    if not at or not base or not rest.strip("@"):
        return name, None, False
    if rest.startswith("@"):
        return base, rest.lstrip("@"), False
    return base, rest, True


def sort_rows(rows: list[tuple], archive: bool = False) -> list[tuple]:
    """Rows sorted stably by (member, name), in place; ``archive``: every row has a member."""
    rows.sort(key=member_name_key if archive else name_key)
    return rows
