"""The reference readers: pyelftools' and LIEF's own per-symbol reading (``backend=``).

sffi reads symbol tables with the C extension (sffi.symbols.symtab). These two
readers go through the same structure checks (sffi.symbols.layout) and then
let pyelftools (``Symbol`` objects one by one, versions through its
``GNUVerSymSection``/``GNUVerDefSection``/``GNUVerNeedSection``) or LIEF
(parsed in C++) read every entry. The tests compare them with the C decoder symbol
for symbol (tests/sffi/symbols/test_symbols.py); ``scan(path, backend=...)`` selects one.
pyelftools is also what reads every file where the C extension is not built
(sffi.symbols.elf.read_columns). LIEF's ``exported_symbols`` is not used: it
ignores visibility.
"""

from __future__ import annotations

import io
import os
import warnings
from array import array
from collections.abc import Iterator

from sffi.errors import ScanError
from sffi.symbols.layout import Layout, open_layout, version_names
from sffi.symbols.model import BINDINGS, TYPES, VISIBILITIES, Symbol
from sffi.symbols.spelling import CORRUPT_VERSION, SHN_COMMON, SHN_UNDEF, VER_NDX_GLOBAL, VERSYM_HIDDEN, split_symver

# pyelftools decodes st_info/st_other/st_shndx into names; back to numbers. Its own enums
# also name values that are no real type (STT_NUM, STT_HIOS, ...): every name it may give
# maps back, so that an odd value reads as the C decoder reads it ('type7'), not as an error.
_PYELF_TYPE = {"STT_NOTYPE": 0, "STT_OBJECT": 1, "STT_FUNC": 2, "STT_SECTION": 3, "STT_FILE": 4,
               "STT_COMMON": 5, "STT_TLS": 6, "STT_NUM": 7, "STT_RELC": 8, "STT_SRELC": 9, "STT_LOOS": 10,
               "STT_GNU_IFUNC": 10, "STT_HIOS": 12, "STT_LOPROC": 13, "STT_HIPROC": 15}
_PYELF_BIND = {"STB_LOCAL": 0, "STB_GLOBAL": 1, "STB_WEAK": 2, "STB_NUM": 3, "STB_LOOS": 10,
               "STB_GNU_UNIQUE": 10, "STB_HIOS": 12, "STB_LOPROC": 13, "STB_HIPROC": 15}
_PYELF_VIS = {"STV_DEFAULT": 0, "STV_INTERNAL": 1, "STV_HIDDEN": 2, "STV_PROTECTED": 3,
              "STV_EXPORTED": 4, "STV_SINGLETON": 5, "STV_ELIMINATE": 6}
_PYELF_SHN = {"SHN_UNDEF": SHN_UNDEF, "SHN_ABS": 0xFFF1, "SHN_COMMON": SHN_COMMON,
              "SHN_XINDEX": 0xFFFF}


def _type_name(code: int) -> str:
    return TYPES.get(code, f"type{code}")


def read_pyelftools(stream: io.BufferedIOBase, size: int, *, location: str,
                    member: str | None = None, static_table: bool = False) -> tuple[str, list[Symbol]]:
    """The symbols of one ELF file read entry by entry with pyelftools, in table order.

    Args:
        stream, size, location, member: as sffi.symbols.elf.read_columns.
        static_table: read ``.symtab`` whatever the file's type (a linked binary's audit).
    Returns:
        ``(kind, symbols)``: kind ``'object'``, ``'shared'`` or ``'executable'``.
    Raises:
        ScanError: as sffi.symbols.elf.read_elf.
    """
    from elftools.elf.elffile import ELFFile

    from sffi.symbols.parse_errors import PARSE_ERRORS, one_line

    layout = open_layout(stream, size, location, static_table)
    try:
        elf = ELFFile(stream)
        return layout.kind, list(_iter_pyelftools(elf, layout, member))
    except PARSE_ERRORS as exc:
        raise ScanError(f"corrupt ELF symbol table: {one_line(exc)}", location=location) from None


def _pyelf_version_names(elf, layout: Layout) -> dict[int, str]:
    """Version index -> name, walked by pyelftools (after layout bounded the counts).

    pyelftools refuses a ``.gnu.version_r`` entry with ``vn_cnt`` 0 (no auxiliary entries), which
    the gABI allows and the C decoder reads; for such a file only, the names come from
    sffi.symbols.layout's walker, so that both readers answer it the same.
    """
    from elftools.common.exceptions import ELFError

    try:
        return _pyelf_walk_versions(elf, layout)
    except ELFError as exc:
        if not str(exc).startswith("Expected number of version auxiliary entries (vn_cnt) to be > 0"):
            raise
        return version_names(layout)


def _pyelf_walk_versions(elf, layout: Layout) -> dict[int, str]:
    names: dict[int, str] = {}
    if layout.verdef is not None:
        for verdef, auxes in elf.get_section(layout.verdef.index).iter_versions():
            aux = next(iter(auxes), None)
            if aux is not None:
                names[verdef["vd_ndx"]] = aux.name
    if layout.verneed is not None:
        for _verneed, auxes in elf.get_section(layout.verneed.index).iter_versions():
            for aux in auxes:
                names[aux["vna_other"]] = aux.name
    return names


def _versym_indexes(elf, layout: Layout) -> array | None:
    if layout.versym is None:
        return None
    data = elf.get_section(layout.versym.index).data()
    indexes = array("H")
    indexes.frombytes(data[: len(data) // 2 * 2])
    if elf.little_endian != (array("H", [1]).tobytes() == b"\x01\x00"):
        indexes.byteswap()
    return indexes


def _iter_pyelftools(elf, layout: Layout, member: str | None) -> Iterator[Symbol]:
    if layout.table is None:
        return
    table = elf.get_section(layout.table.index)
    versym = _versym_indexes(elf, layout)
    if versym is not None:
        version_names(layout)  # the bounds checks of the C decoder: pyelftools follows vn_next past the section
    vnames = _pyelf_version_names(elf, layout) if versym is not None else {}
    strtab_size = layout.strtab.size if layout.strtab is not None else 0
    for i, sym in enumerate(table.iter_symbols()):
        if i == 0:
            continue
        if sym["st_name"] and sym["st_name"] >= strtab_size:  # pyelftools would read '' there: refuse as the C decoder does
            raise layout.error(f"corrupt ELF symbol table: symbol {i}'s name offset {sym['st_name']} lies outside "
                               f"{layout.section_name(layout.strtab)} ({strtab_size} bytes)")
        info, other = sym["st_info"], sym["st_other"]
        t = info["type"] if isinstance(info["type"], int) else _PYELF_TYPE[info["type"]]
        if t in (3, 4):  # STT_SECTION, STT_FILE
            continue
        b = info["bind"] if isinstance(info["bind"], int) else _PYELF_BIND[info["bind"]]
        v = other["visibility"]
        v = (v if isinstance(v, int) else _PYELF_VIS[v]) & 3
        shndx = sym["st_shndx"] if isinstance(sym["st_shndx"], int) else _PYELF_SHN[sym["st_shndx"]]
        # Offset 0 of an empty string table (sh_size 0, which gABI permits) is the empty name, as
        # the C decoder reads it; pyelftools would read the bytes at sh_offset, past the table.
        name, version, hidden = sym.name if strtab_size else "", None, False
        if versym is not None:
            raw = versym[i] if i < len(versym) else 0
            version = vnames.get(raw & 0x7FFF, CORRUPT_VERSION) if (raw & 0x7FFF) > VER_NDX_GLOBAL else None
            hidden = bool(raw & VERSYM_HIDDEN) and version is not None
        elif layout.kind == "object" and "@" in name:
            name, version, hidden = split_symver(name)
        yield Symbol(name=name, type="common" if shndx == SHN_COMMON else _type_name(t),
                     binding=BINDINGS.get(b, f"bind{b}"), visibility=VISIBILITIES[v],
                     size=sym["st_size"], defined=shndx != SHN_UNDEF, member=member,
                     version=version, version_hidden=hidden, value=sym["st_value"])


# --------------------------------------------------------------------------- LIEF


def read_shared_lief(path: str | os.PathLike) -> tuple[str, list[Symbol]]:
    """The ``.dynsym`` symbols of a shared object or executable, read with LIEF.

    Gives the same list as sffi.symbols.elf.read_elf (same order, same fields).

    Args:
        path: an ELF shared object or executable (not an archive or ``.o``).
    Returns:
        ``(kind, symbols)`` as sffi.symbols.elf.read_elf.
    Raises:
        ScanError: as sffi.symbols.elf.read_elf (the structure is checked
            first), or LIEF could not parse it; also for a relocatable object.
    """
    import lief

    path = os.fspath(path)
    with open(path, "rb") as f:
        layout = open_layout(f, os.fstat(f.fileno()).st_size, path)
        if layout.kind == "object":
            raise ScanError("the LIEF reader reads shared objects only", location=path)
        if layout.table is None:
            return layout.kind, []
        # The checks the other readers make, which LIEF would read past (an empty name, no version)
        _check_name_offsets(layout)
        expected_versions = _section_versions(layout) if layout.versym is not None else None
        versym_name = layout.section_name(layout.versym) if layout.versym is not None else None
    config = lief.ELF.ParserConfig()
    config.parse_relocations = False
    config.parse_symtab_symbols = False
    config.parse_notes = False
    config.parse_overlay = False
    config.parse_dyn_symbols = True
    # Versions as the other readers find them, through the section headers: where there is no
    # .gnu.version section, LIEF would still find one through DT_VERSYM (fuzzing found such files)
    config.parse_symbol_versions = layout.versym is not None
    # Count .dynsym entries from its section header (LIEF's default guesses from the hash tables).
    config.count_mtd = lief.ELF.ParserConfig.DYNSYM_COUNT.SECTION
    lief.logging.disable()
    try:
        binary = lief.ELF.parse(path, config)
    finally:
        lief.logging.enable()
    if binary is None:
        raise ScanError("LIEF could not parse this ELF file", location=path)
    entries = layout.table.size // layout.table.entsize if layout.table.entsize else 0
    if len(binary.dynamic_symbols) != entries:  # LIEF gave up on part of the table: say so, never fewer rows
        raise ScanError(f"LIEF read {len(binary.dynamic_symbols)} of the {entries} entries of .dynsym",
                        location=path)
    with warnings.catch_warnings():
        # nanobind warns (and returns a plain int) for values outside LIEF's enums
        warnings.simplefilter("ignore", RuntimeWarning)
        symbols = list(_iter_lief(binary))
    if expected_versions is not None:
        # LIEF finds the version tables through the dynamic section (DT_VERSYM, DT_VERNEED), the
        # other readers through the section headers; where the two disagree the file is corrupt
        kept = [v for i, v in enumerate(expected_versions) if i and _enum_int(binary.dynamic_symbols[i].type) not in (3, 4)]
        bad = next((s for s, v in zip(symbols, kept) if (s.version, s.version_hidden) != v), None)
        if bad is not None:
            raise ScanError(f"the dynamic section's version tables (read by LIEF) disagree with the section "
                            f"headers' {versym_name} for symbol {bad.name!r}", location=path)
    return layout.kind, symbols


def _section_versions(layout: Layout) -> list[tuple[str | None, bool]]:
    """``(version, hidden)`` of each ``.dynsym`` entry from ``.gnu.version`` and the version
    sections (as the C decoder reads them). Raises ScanError as layout.version_names."""
    names = version_names(layout)
    data = layout.reader.read(layout.versym.offset, layout.versym.size)
    indexes = array("H")
    indexes.frombytes(data[: len(data) // 2 * 2])
    if layout.little != (array("H", [1]).tobytes() == b"\x01\x00"):
        indexes.byteswap()
    count = layout.table.size // layout.table.entsize
    out = []
    for i in range(count):
        raw = indexes[i] if i < len(indexes) else 0
        version = names.get(raw & 0x7FFF, CORRUPT_VERSION) if (raw & 0x7FFF) > VER_NDX_GLOBAL else None
        out.append((version, bool(raw & VERSYM_HIDDEN) and version is not None))
    return out


def _check_name_offsets(layout: Layout) -> None:
    """Raises ScanError (the C decoder's message) for a symbol whose ``st_name`` lies outside
    the string table; ``st_name`` is the first 4 bytes of an entry in ELF32 and ELF64 alike."""
    table, strtab = layout.table, layout.strtab
    size = strtab.size if strtab is not None else 0
    data = layout.reader.read(table.offset, table.size)
    offsets = array("I")
    offsets.frombytes(b"".join(data[at:at + 4] for at in range(0, len(data) - table.entsize + 1, table.entsize)))
    if layout.little != (array("I", [1]).tobytes() == b"\x01\x00\x00\x00"):
        offsets.byteswap()
    bad = next((i for i, o in enumerate(offsets) if i and o and o >= size), None)
    if bad is not None:
        raise layout.error(f"corrupt ELF symbol table: symbol {bad}'s name offset {offsets[bad]} lies outside "
                           f"{layout.section_name(strtab)} ({size} bytes)")


def _iter_lief(binary) -> Iterator[Symbol]:
    for i, sym in enumerate(binary.dynamic_symbols):
        if i == 0:
            continue
        t = _enum_int(sym.type)
        if t in (3, 4):
            continue
        version, hidden = None, False
        if sym.has_version:
            sv = sym.symbol_version
            if (sv.value & 0x7FFF) > VER_NDX_GLOBAL and sv.has_auxiliary_version:
                version = _text(sv.symbol_version_auxiliary.name)
                hidden = bool(sv.value & VERSYM_HIDDEN)
        b = _enum_int(sym.binding)
        yield Symbol(name=_text(sym.name), type="common" if sym.shndx == SHN_COMMON else _type_name(t),
                     binding=BINDINGS.get(b, f"bind{b}"),
                     visibility=VISIBILITIES[_enum_int(sym.visibility) & 3], size=sym.size,
                     defined=sym.shndx != SHN_UNDEF, member=None, version=version,
                     version_hidden=hidden, value=sym.value)


def _enum_int(value) -> int:
    """A LIEF enum member's number (LIEF gives a plain int for unknown values)."""
    return value if isinstance(value, int) else value.value


def _text(name: str | bytes) -> str:
    """LIEF returns bytes for names that are not UTF-8; decode them as pyelftools does."""
    return name.decode("utf-8", errors="replace") if isinstance(name, bytes) else name
