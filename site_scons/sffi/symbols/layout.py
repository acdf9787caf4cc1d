"""The structure of one ELF file, read and checked against its size: header, sections, versions.

Formats: the ELF gABI (System V ABI, chapter 4: ``Elf32_Ehdr``/``Elf64_Ehdr``,
``Elf32_Shdr``/``Elf64_Shdr``, string tables; extended section numbering:
``e_shnum == 0`` and ``e_shstrndx == SHN_XINDEX`` take their values from
section 0) and the GNU symbol versioning sections as the LSB Core
Specification describes them (``Elf_Verdef``/``Elf_Verdaux`` in
``.gnu.version_d``, ``Elf_Verneed``/``Elf_Vernaux`` in ``.gnu.version_r``).

Why not pyelftools here: importing it costs more than ``nm`` needs for a whole
small library (docs/benchmarks.md), and its version walk trusts the entry
count of the section header (``sh_info = 0xffffffff`` never ends). This reader
decodes the few fixed-size structures with :mod:`struct` and bounds every
count and offset read from the file by the file's (or the section's) size
before it drives a loop or an allocation. pyelftools remains the reference
it is tested against (tests/sffi/symbols/test_symbols.py) and the DWARF reader.
"""

from __future__ import annotations

import io
import struct

from sffi.errors import ScanError

ELF_MAGIC = b"\x7fELF"
SHT_SYMTAB, SHT_STRTAB, SHT_NOBITS, SHT_DYNSYM = 2, 3, 8, 11
SHT_GNU_VERDEF, SHT_GNU_VERNEED, SHT_GNU_VERSYM = 0x6FFFFFFD, 0x6FFFFFFE, 0x6FFFFFFF
SHN_XINDEX = 0xFFFF

#: e_type -> (kind reported, symbol table read)
ET_KINDS = {1: ("object", SHT_SYMTAB), 2: ("executable", SHT_DYNSYM), 3: ("shared", SHT_DYNSYM)}
_ET_NAMES = {0: "ET_NONE", 4: "ET_CORE"}
_VERDEF = struct.Struct("HHHHIII")    # vd_version vd_flags vd_ndx vd_cnt vd_hash vd_aux vd_next
_VERDAUX = struct.Struct("II")        # vda_name vda_next
_VERNEED = struct.Struct("HHIII")     # vn_version vn_cnt vn_file vn_aux vn_next
_VERNAUX = struct.Struct("IHHII")     # vna_hash vna_flags vna_other vna_name vna_next


class Section:
    """One section header: ``index``, ``name`` (resolved lazily), ``type``, ``offset``,
    ``size``, ``link``, ``info``, ``entsize`` (gABI ``Elf_Shdr`` fields, bytes)."""

    __slots__ = ("index", "name_offset", "type", "offset", "size", "link", "info", "entsize", "name")

    def __init__(self, index: int, fields: tuple):
        self.index = index
        (self.name_offset, self.type, _flags, _addr, self.offset, self.size, self.link,
         self.info, _align, self.entsize) = fields
        self.name = None


class Reader:
    """Bytes of one ELF file: an open file (sections read on demand) or bytes in memory."""

    def __init__(self, source: io.BufferedIOBase | bytes, size: int):
        self.source, self.size = source, size

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset`` (callers have checked they lie inside the file)."""
        if isinstance(self.source, (bytes, bytearray, memoryview)):
            return bytes(self.source[offset:offset + length])
        self.source.seek(offset)
        return self.source.read(length)


class Layout:
    """The checked facts about one ELF file that the symbol readers need.

    Attributes:
        location: how errors name the input.
        kind: ``'object'``, ``'shared'`` or ``'executable'``.
        is64, little: ELFCLASS64, ELFDATA2LSB.
        endian: the :mod:`struct` prefix, ``'<'`` or ``'>'``.
        sections: every section header, in order.
        table, strtab: the symbol table read (``.symtab`` for objects, ``.dynsym``
            otherwise) and its string table, or None when there is none.
        versym, verdef, verneed: the GNU version sections (``.dynsym`` only), or None.
    """

    def __init__(self, reader: Reader, location: str):
        self.reader, self.location = reader, location
        self.kind, self.is64, self.little, self.endian = "", True, True, "<"
        self.sections: list[Section] = []
        self.table = self.strtab = self.versym = self.verdef = self.verneed = None
        self.shstrndx = self.phoff = self.phentsize = self.phnum = 0
        self.version_strtabs: dict[int, tuple[Section, bytes]] = {}

    def data(self, sec: Section) -> bytes:
        """The bytes of section ``sec`` (checked to lie inside the file)."""
        return self.reader.read(sec.offset, sec.size)

    def section_name(self, sec: Section) -> str:
        """The section's name from the section-name string table, ``'#N'`` when unreadable."""
        if sec.name is None:
            sec.name = _shstr_name(self, sec) or f"#{sec.index}"
        return sec.name

    def error(self, message: str) -> ScanError:
        return ScanError(message, location=self.location)


def open_layout(stream: io.BufferedIOBase | bytes, size: int, location: str,
                static_table: bool = False) -> Layout:
    """Read and check the ELF header, the section header table and the sections read.

    Args:
        stream: a seekable binary file, or the file's bytes (an archive member).
        size: the file's length in bytes.
        location: how errors name the input (``path`` or ``archive(member)``).
        static_table: read ``.symtab`` whatever the file's type (for auditing a
            linked binary) instead of ``.dynsym`` for shared objects and executables.
    Returns:
        The :class:`Layout`.
    Raises:
        ScanError: bad magic, class or byte order; a header, section header
            table or section past the end of the file; an unsupported e_type;
            a symbol table with a wrong entry size or string table link; a
            string table that does not end with a NUL byte; a version section
            whose entry count cannot fit in it.
    """
    layout = Layout(Reader(stream, size), location)
    ident = layout.reader.read(0, 16)
    if ident[:4] != ELF_MAGIC:
        raise layout.error("not an ELF file (bad magic)")
    if len(ident) < 16:
        raise layout.error(f"truncated ELF header: file has {size} bytes")
    if ident[4] not in (1, 2):
        raise layout.error(f"corrupt ELF header: bad class byte {ident[4]} (EI_CLASS, 1 or 2)")
    if ident[5] not in (1, 2):
        raise layout.error(f"corrupt ELF header: bad byte-order byte {ident[5]} (EI_DATA, 1 or 2)")
    layout.is64, layout.little = ident[4] == 2, ident[5] == 1
    layout.endian = "<" if layout.little else ">"
    ehsize = 64 if layout.is64 else 52
    if size < ehsize:
        raise layout.error(f"truncated ELF header: {size} bytes, an ELF{32 if ehsize == 52 else 64} "
                           f"header has {ehsize}")
    shoff, shentsize, shnum, shstrndx = _read_header(layout, static_table)
    _read_sections(layout, shoff, shentsize, shnum, shstrndx)
    _find_tables(layout, static_table)
    return layout


def _read_header(layout: Layout, static_table: bool) -> tuple[int, int, int, int]:
    """e_type (sets ``kind``), e_shoff, e_shentsize, e_shnum, e_shstrndx, checked."""
    fmt = "HHIQQQIHHHHHH" if layout.is64 else "HHIIIIIHHHHHH"
    head = layout.reader.read(16, struct.calcsize(layout.endian + fmt))
    (e_type, _machine, _version, _entry, layout.phoff, shoff, _flags, _ehsize, layout.phentsize,
     layout.phnum, shentsize, shnum, shstrndx) = struct.unpack(layout.endian + fmt, head)
    if e_type not in ET_KINDS:
        raise layout.error(f"ELF file of type {_ET_NAMES.get(e_type, e_type)} is not an object, "
                           "archive or shared object")
    layout.kind = ET_KINDS[e_type][0]
    if shoff == 0:
        if layout.kind == "object":
            raise layout.error("corrupt ELF object: no section header table")
        raise layout.error("ELF file without section headers (stripped with sstrip?): "
                           "its symbol table cannot be found")
    size = layout.reader.size
    if shoff > size:
        raise layout.error(f"truncated ELF file: section header table at byte {shoff}, "
                           f"file has {size} bytes")
    return shoff, shentsize, shnum, shstrndx


def _read_sections(layout: Layout, shoff: int, shentsize: int, shnum: int, shstrndx: int) -> None:
    """Decode the section header table (extended numbering from section 0)."""
    size, want = layout.reader.size, (64 if layout.is64 else 40)
    fmt = struct.Struct(layout.endian + ("IIQQQQIIQQ" if layout.is64 else "IIIIIIIIII"))
    if shnum == 0 or shstrndx == SHN_XINDEX:
        if shentsize != want or shoff + want > size:
            raise layout.error(f"corrupt ELF header: section header size {shentsize}")
        first = Section(0, fmt.unpack(layout.reader.read(shoff, want)))
        shnum = shnum or first.size
        shstrndx = first.link if shstrndx == SHN_XINDEX else shstrndx
    if shentsize != want and shnum:
        raise layout.error(f"corrupt ELF header: section header size {shentsize}")
    end = shoff + shnum * shentsize
    if end > size:
        raise layout.error(f"truncated ELF file: section header table ends at byte {end}, "
                           f"file has {size} bytes")
    raw = layout.reader.read(shoff, shnum * want)
    layout.sections = [Section(i, f) for i, f in enumerate(fmt.iter_unpack(raw))]
    layout.shstrndx = shstrndx


def _shstr_name(layout: Layout, sec: Section) -> str | None:
    """A section's name, or None when the section-name table cannot give it."""
    index = layout.shstrndx
    if not 0 < index < len(layout.sections):
        return None
    names = layout.sections[index]
    if names.offset + names.size > layout.reader.size or sec.name_offset >= names.size:
        return None
    data = layout.reader.read(names.offset + sec.name_offset, min(names.size - sec.name_offset, 4096))
    return data.split(b"\0", 1)[0].decode("utf-8", errors="replace")


def _find_tables(layout: Layout, static_table: bool) -> None:
    """Find and check the symbol table, its string table and (for .dynsym) the version sections."""
    table_type = SHT_SYMTAB if static_table else ET_KINDS_TABLE[layout.kind]
    found: dict[int, Section] = {}
    for sec in layout.sections:
        if sec.type in (table_type, SHT_GNU_VERSYM, SHT_GNU_VERDEF, SHT_GNU_VERNEED):
            found.setdefault(sec.type, sec)
    table = found.get(table_type)
    if table is not None:
        check_section(layout, table)
        entsize = 24 if layout.is64 else 16
        if table.entsize != entsize or table.size % entsize:
            raise layout.error(f"corrupt ELF file: symbol table {layout.section_name(table)} has "
                               f"entry size {table.entsize} and size {table.size} (expected entries "
                               f"of {entsize} bytes)")
        layout.table, layout.strtab = table, linked_strtab(layout, table, "symbol table")
    if table_type == SHT_DYNSYM:
        layout.versym = found.get(SHT_GNU_VERSYM)
        layout.verdef = found.get(SHT_GNU_VERDEF)
        layout.verneed = found.get(SHT_GNU_VERNEED)
        for sec, entry in ((layout.versym, 2), (layout.verdef, _VERDEF.size),
                           (layout.verneed, _VERNEED.size)):
            if sec is not None:
                check_section(layout, sec)
                if entry > 2:
                    _check_count(layout, sec, entry)


ET_KINDS_TABLE = {"object": SHT_SYMTAB, "shared": SHT_DYNSYM, "executable": SHT_DYNSYM}


def check_section(layout: Layout, sec: Section) -> None:
    """Raise ScanError when section ``sec``'s bytes do not lie inside the file."""
    if sec.type == SHT_NOBITS:
        return
    if sec.offset + sec.size > layout.reader.size:
        raise layout.error(f"truncated ELF file: section {layout.section_name(sec)} spans bytes "
                           f"{sec.offset}..{sec.offset + sec.size}, file has "
                           f"{layout.reader.size} bytes")


def linked_strtab(layout: Layout, sec: Section, what: str) -> Section:
    """The string table ``sec`` links to, checked: in the file, ending with a NUL byte.

    A string table's last byte must be NUL (gABI, "String Table"): without it
    the last names run on into whatever follows, so such a table is refused.
    """
    link = sec.link
    if not 0 < link < len(layout.sections) or layout.sections[link].type != SHT_STRTAB:
        raise layout.error(f"corrupt ELF file: {what} {layout.section_name(sec)} links to section "
                           f"{link}, which is not a string table")
    strtab = layout.sections[link]
    check_section(layout, strtab)
    if strtab.size and layout.reader.read(strtab.offset + strtab.size - 1, 1) != b"\0":
        raise layout.error(f"corrupt ELF file: string table {layout.section_name(strtab)} does not "
                           f"end with a NUL byte")
    return strtab


def _check_count(layout: Layout, sec: Section, entry_size: int) -> None:
    """A version section's ``sh_info`` (its entry count) must fit in its size."""
    most = sec.size // entry_size
    if sec.info > most:
        raise layout.error(f"corrupt ELF file: section {layout.section_name(sec)} claims {sec.info} "
                           f"entries (sh_info), its {sec.size} bytes hold at most {most}")


# --------------------------------------------------------------------------- programs

PT_DYNAMIC, PT_INTERP = 2, 3
DT_NULL, DT_FLAGS_1, DF_1_PIE = 0, 0x6FFFFFFB, 0x08000000


def is_program(layout: Layout) -> bool:
    """True for an executable: ET_EXEC, or ET_DYN with a ``PT_INTERP`` program header or
    ``DF_1_PIE`` in ``DT_FLAGS_1`` (a PIE), from the program headers (gABI, "Program Header",
    "Dynamic Section").

    Raises:
        ScanError: a program header table or dynamic segment past the end of the file.
    """
    if layout.kind == "executable":
        return True
    want = 56 if layout.is64 else 32
    if layout.phnum == 0:
        return False
    end = layout.phoff + layout.phnum * want
    if layout.phentsize != want or end > layout.reader.size:
        raise layout.error(f"corrupt ELF program headers: {layout.phnum} entries of "
                           f"{layout.phentsize} bytes at byte {layout.phoff}, file has "
                           f"{layout.reader.size} bytes")
    fmt = struct.Struct(layout.endian + ("IIQQQQQQ" if layout.is64 else "IIIIIIII"))
    for header in fmt.iter_unpack(layout.reader.read(layout.phoff, layout.phnum * want)):
        p_type = header[0]
        offset, filesz = (header[2], header[5]) if layout.is64 else (header[1], header[4])
        if p_type == PT_INTERP:
            return True
        if p_type == PT_DYNAMIC:
            if offset + filesz > layout.reader.size:
                raise layout.error(f"corrupt ELF program headers: the dynamic segment spans bytes "
                                   f"{offset}..{offset + filesz}, file has {layout.reader.size} bytes")
            entry = struct.Struct(layout.endian + ("qQ" if layout.is64 else "iI"))
            data = layout.reader.read(offset, filesz // entry.size * entry.size)
            for tag, value in entry.iter_unpack(data):
                if tag == DT_NULL:
                    break
                if tag == DT_FLAGS_1 and value & DF_1_PIE:
                    return True
    return False


# --------------------------------------------------------------------------- versions


def version_names(layout: Layout) -> dict[int, str]:
    """Version index -> version name, from ``.gnu.version_d`` then ``.gnu.version_r``.

    A definition is named by its first ``Verdaux``; a need by each ``Vernaux``
    (``vna_other`` is its index). Every entry read lies inside its section and
    the walk reads at most as many entries as the section can hold.

    Raises:
        ScanError: an entry or name offset outside its section or string table,
            a definition without names (``vd_cnt`` 0).
    """
    names: dict[int, str] = {}
    if layout.verdef is not None:
        for ndx, _cnt, aux_at in _walk(layout, layout.verdef, _VERDEF, (2, 3, 5, 6)):
            if _cnt == 0:
                raise layout.error(f"corrupt ELF file: {layout.section_name(layout.verdef)}: a "
                                   "version definition without names (vd_cnt 0)")
            name_off, _next = _entry(layout, layout.verdef, _VERDAUX, aux_at)
            names[ndx] = _version_string(layout, layout.verdef, name_off)
    if layout.verneed is not None:
        budget = layout.verneed.size // _VERNAUX.size
        for _file, cnt, aux_at in _walk(layout, layout.verneed, _VERNEED, (2, 1, 3, 4)):
            for _ in range(cnt):
                budget -= 1
                if budget < 0:
                    raise layout.error(f"corrupt ELF file: {layout.section_name(layout.verneed)} "
                                       "names more versions than it can hold")
                _hash, _flags, other, name_off, nxt = _entry(layout, layout.verneed, _VERNAUX, aux_at)
                names[other] = _version_string(layout, layout.verneed, name_off)
                aux_at += nxt
    return names


def _walk(layout: Layout, sec: Section, fmt: struct.Struct, picks: tuple[int, int, int, int]):
    """(key, count, offset of the first auxiliary) per entry; ``picks``: the field indexes
    of key, count, aux offset and next offset in ``fmt``."""
    at = 0
    k_key, k_cnt, k_aux, k_next = picks
    for _ in range(sec.info):
        fields = _entry(layout, sec, fmt, at)
        yield fields[k_key], fields[k_cnt], at + fields[k_aux]
        if fields[k_next] == 0:
            break
        at += fields[k_next]


def _entry(layout: Layout, sec: Section, fmt: struct.Struct, at: int) -> tuple:
    """Decode ``fmt`` at offset ``at`` of section ``sec``, which must hold it."""
    if not 0 <= at <= sec.size - fmt.size:
        raise layout.error(f"corrupt ELF file: {layout.section_name(sec)}: an entry at offset {at} "
                           f"lies outside the section ({sec.size} bytes)")
    return struct.unpack(layout.endian + fmt.format, layout.reader.read(sec.offset + at, fmt.size))


def _version_string(layout: Layout, sec: Section, offset: int) -> str:
    if sec.index not in layout.version_strtabs:
        strtab = linked_strtab(layout, sec, "version section")
        layout.version_strtabs[sec.index] = (strtab, layout.data(strtab))
    strtab, data = layout.version_strtabs[sec.index]
    if offset >= len(data):
        raise layout.error(f"corrupt ELF file: {layout.section_name(sec)}: a version name at offset "
                           f"{offset} lies outside {layout.section_name(strtab)} ({len(data)} bytes)")
    return data[offset:data.index(b"\0", offset)].decode("utf-8", errors="replace")
