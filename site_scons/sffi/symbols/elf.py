"""Reading the symbols of one ELF file: pyelftools (the reference) and LIEF (large tables).

Formats followed:

* The ELF gABI (System V ABI, chapter 4: ELF header, section header table,
  ``SHT_SYMTAB``/``SHT_DYNSYM`` symbol tables, ``st_info``/``st_other``).
* Symbol versioning as the LSB specifies it ("Symbol Versioning" in the LSB
  Core Specification, the GNU extension described in Ulrich Drepper's "How To
  Write Shared Libraries", section 3): ``.gnu.version`` (``SHT_GNU_versym``,
  one 16-bit index per ``.dynsym`` entry, bit ``0x8000`` = hidden), resolved
  through ``.gnu.version_d`` (``SHT_GNU_verdef``, the versions a shared object
  defines: ``vd_ndx`` -> first ``Verdaux`` name) and ``.gnu.version_r``
  (``SHT_GNU_verneed``, the versions it needs: ``vna_other`` -> ``vna_name``).
  Indexes 0 (local) and 1 (global, the base version) mean "no version".

What is read: for a relocatable object (ET_REL) its ``.symtab``; for a shared
object (ET_DYN) or an executable (ET_EXEC) its ``.dynsym``, the table the
dynamic linker sees. The null entry 0 and ``STT_SECTION``/``STT_FILE`` entries
are left out; every other entry, local ones included, is returned.

Before pyelftools or LIEF look at a file, :func:`_validate` checks the ELF
header, the section header table and every section this module reads against
the file size, so a truncated or damaged file gives a :class:`ScanError` that
says what is wrong instead of a short, silently incomplete table.
"""

from __future__ import annotations

import io
import os
import struct
import warnings
from array import array
from collections.abc import Iterator
from typing import BinaryIO

from elftools.common.exceptions import ELFError
from elftools.construct.core import ConstructError
from elftools.elf.elffile import ELFFile

from sffi.errors import ScanError
from sffi.symbols.model import BINDINGS, TYPES, VISIBILITIES, Symbol

ELF_MAGIC = b"\x7fELF"

SHN_UNDEF, SHN_ABS, SHN_COMMON, SHN_XINDEX = 0, 0xFFF1, 0xFFF2, 0xFFFF
SHT_NOBITS, SHT_SYMTAB, SHT_STRTAB, SHT_DYNSYM = 8, 2, 3, 11
SHT_GNU_VERDEF, SHT_GNU_VERNEED, SHT_GNU_VERSYM = 0x6FFFFFFD, 0x6FFFFFFE, 0x6FFFFFFF
VERSYM_HIDDEN = 0x8000
VER_NDX_GLOBAL = 1

#: e_type -> (kind reported, symbol table read)
_ET_KINDS = {"ET_REL": ("object", SHT_SYMTAB), "ET_DYN": ("shared", SHT_DYNSYM),
             "ET_EXEC": ("executable", SHT_DYNSYM)}

# pyelftools decodes st_info/st_other/st_shndx into names; back to numbers.
_PYELF_TYPE = {"STT_NOTYPE": 0, "STT_OBJECT": 1, "STT_FUNC": 2, "STT_SECTION": 3, "STT_FILE": 4,
               "STT_COMMON": 5, "STT_TLS": 6, "STT_LOOS": 10, "STT_GNU_IFUNC": 10}
_PYELF_BIND = {"STB_LOCAL": 0, "STB_GLOBAL": 1, "STB_WEAK": 2, "STB_LOOS": 10,
               "STB_GNU_UNIQUE": 10}
_PYELF_VIS = {"STV_DEFAULT": 0, "STV_INTERNAL": 1, "STV_HIDDEN": 2, "STV_PROTECTED": 3,
              "STV_EXPORTED": 4, "STV_SINGLETON": 5, "STV_ELIMINATE": 6}
_PYELF_SHN = {"SHN_UNDEF": SHN_UNDEF, "SHN_ABS": SHN_ABS, "SHN_COMMON": SHN_COMMON,
              "SHN_XINDEX": SHN_XINDEX}

#: What pyelftools raises on damaged input (it parses with its bundled construct).
PARSE_ERRORS = (ELFError, ConstructError, struct.error, ValueError, KeyError, IndexError,
                EOFError, AssertionError, UnicodeDecodeError, OverflowError, TypeError,
                OSError)  # OSError: seeking to a negative offset read from the file


def _type_name(code: int) -> str:
    return TYPES.get(code, f"type{code}")


def one_line(exc: BaseException) -> str:
    """A parser exception as one short line (200 characters at most) for a ScanError message."""
    if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
        return f"an offset in the file is out of range ({exc.strerror or exc})"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


class _Layout:
    """The validated facts about one ELF file that the readers need."""

    def __init__(self, elf: ELFFile, kind: str, table, versym, verdef, verneed):
        self.elf, self.kind, self.table = elf, kind, table
        self.versym, self.verdef, self.verneed = versym, verdef, verneed


def _validate(stream: BinaryIO, size: int, location: str, static_table: bool = False) -> _Layout:
    """Check the ELF header and the sections read against ``size``; open it with pyelftools.

    ``static_table`` reads ``.symtab`` whatever the file's type (for auditing a
    linked binary), instead of ``.dynsym`` for shared objects and executables.

    Raises:
        ScanError: bad magic, class or byte order; a header, section header
            table or section past the end of the file; an unsupported e_type;
            a symbol table with a wrong entry size or string table link.
    """
    stream.seek(0)
    ident = stream.read(16)
    if ident[:4] != ELF_MAGIC:
        raise ScanError("not an ELF file (bad magic)", location=location)
    if len(ident) < 16:
        raise ScanError(f"truncated ELF header: file has {size} bytes", location=location)
    if ident[4] not in (1, 2):
        raise ScanError(f"corrupt ELF header: bad class byte {ident[4]} (EI_CLASS, 1 or 2)",
                        location=location)
    if ident[5] not in (1, 2):
        raise ScanError(f"corrupt ELF header: bad byte-order byte {ident[5]} (EI_DATA, 1 or 2)",
                        location=location)
    ehsize = 64 if ident[4] == 2 else 52
    if size < ehsize:
        raise ScanError(f"truncated ELF header: {size} bytes, an ELF{32 if ehsize == 52 else 64} "
                        f"header has {ehsize}", location=location)
    try:
        elf = ELFFile(stream)
        e_type = elf["e_type"]
        if e_type not in _ET_KINDS:
            raise ScanError(f"ELF file of type {e_type} is not an object, archive or shared object",
                            location=location)
        kind, table_type = _ET_KINDS[e_type]
        if static_table:
            table_type = SHT_SYMTAB
        shoff, shentsize = elf["e_shoff"], elf["e_shentsize"]
        if shoff == 0:
            if kind == "object":
                raise ScanError("corrupt ELF object: no section header table", location=location)
            raise ScanError("ELF file without section headers (stripped with sstrip?): "
                            "its symbol table cannot be found", location=location)
        if shoff > size:
            raise ScanError(f"truncated ELF file: section header table at byte {shoff}, "
                            f"file has {size} bytes", location=location)
        shnum = elf.num_sections()
        if shentsize != (64 if ehsize == 64 else 40) and shnum:
            raise ScanError(f"corrupt ELF header: section header size {shentsize}",
                            location=location)
        end = shoff + shnum * shentsize
        if end > size:
            raise ScanError(f"truncated ELF file: section header table ends at byte {end}, "
                            f"file has {size} bytes", location=location)
        sections = list(elf.iter_sections())
        found: dict[int, object] = {}
        for sec in sections:
            t = sec.header["sh_type"]
            code = t if isinstance(t, int) else _SHT_CODES.get(t)
            if code in (table_type, SHT_GNU_VERSYM, SHT_GNU_VERDEF, SHT_GNU_VERNEED):
                found.setdefault(code, sec)
        table = found.get(table_type)
        if table is not None:
            _check_section(table, size, location)
            entsize = 24 if ehsize == 64 else 16
            if table["sh_entsize"] != entsize or table["sh_size"] % entsize:
                raise ScanError(f"corrupt ELF file: symbol table {table.name} has entry size "
                                f"{table['sh_entsize']} and size {table['sh_size']} "
                                f"(expected entries of {entsize} bytes)", location=location)
            link = table["sh_link"]
            if not 0 < link < len(sections) or sections[link]["sh_type"] != "SHT_STRTAB":
                raise ScanError(f"corrupt ELF file: symbol table {table.name} links to section "
                                f"{link}, which is not a string table", location=location)
            _check_section(sections[link], size, location)
        versions = []
        for code in (SHT_GNU_VERSYM, SHT_GNU_VERDEF, SHT_GNU_VERNEED):
            sec = found.get(code) if table_type == SHT_DYNSYM else None
            if sec is not None:
                _check_section(sec, size, location)
                link = sec["sh_link"]
                if code != SHT_GNU_VERSYM and 0 < link < len(sections):
                    _check_section(sections[link], size, location)
            versions.append(sec)
        return _Layout(elf, kind, table, *versions)
    except ScanError:
        raise
    except PARSE_ERRORS as exc:
        raise ScanError(f"corrupt ELF file: {one_line(exc)}", location=location) from None


_SHT_CODES = {"SHT_SYMTAB": SHT_SYMTAB, "SHT_DYNSYM": SHT_DYNSYM, "SHT_STRTAB": SHT_STRTAB,
              "SHT_NOBITS": SHT_NOBITS, "SHT_GNU_versym": SHT_GNU_VERSYM,
              "SHT_GNU_verdef": SHT_GNU_VERDEF, "SHT_GNU_verneed": SHT_GNU_VERNEED}


def _check_section(sec, size: int, location: str) -> None:
    """Raise ScanError when section ``sec``'s bytes do not lie inside a ``size``-byte file."""
    if sec["sh_type"] == "SHT_NOBITS":
        return
    start, length = sec["sh_offset"], sec["sh_size"]
    if start + length > size:
        raise ScanError(f"truncated ELF file: section {sec.name or '#?'} spans bytes "
                        f"{start}..{start + length}, file has {size} bytes", location=location)


def _version_names(layout: _Layout) -> dict[int, str]:
    """Version index -> version name, from .gnu.version_d and .gnu.version_r."""
    names: dict[int, str] = {}
    if layout.verdef is not None:
        for verdef, auxes in layout.verdef.iter_versions():
            aux = next(iter(auxes), None)
            if aux is not None:
                names[verdef["vd_ndx"]] = aux.name
    if layout.verneed is not None:
        for _verneed, auxes in layout.verneed.iter_versions():
            for aux in auxes:
                names[aux["vna_other"]] = aux.name
    return names


def _versym_indexes(layout: _Layout) -> array | None:
    """The raw 16-bit .gnu.version entries (read in bulk: one per .dynsym entry)."""
    if layout.versym is None:
        return None
    data = layout.versym.data()
    indexes = array("H")
    indexes.frombytes(data[: len(data) // 2 * 2])
    if (layout.elf.little_endian) != (struct.pack("=H", 1) == b"\x01\x00"):
        indexes.byteswap()
    return indexes


def _split_symver(name: str) -> tuple[str, str | None, bool]:
    """``foo@@V`` -> (foo, V, False); ``foo@V`` -> (foo, V, True); ``foo`` -> (foo, None, False)."""
    base, at, rest = name.partition("@")
    if not at or not base or not rest.strip("@"):
        return name, None, False
    if rest.startswith("@"):
        return base, rest.lstrip("@"), False
    return base, rest, True


def _iter_pyelftools(layout: _Layout, member: str | None) -> Iterator[Symbol]:
    table = layout.table
    if table is None:
        return
    versym = _versym_indexes(layout)
    vnames = _version_names(layout) if versym is not None else {}
    is_object = layout.kind == "object"
    for i, sym in enumerate(table.iter_symbols()):
        if i == 0:
            continue
        info, other = sym["st_info"], sym["st_other"]
        t = info["type"]
        t = t if isinstance(t, int) else _PYELF_TYPE[t]
        if t in (3, 4):  # STT_SECTION, STT_FILE
            continue
        b = info["bind"]
        b = b if isinstance(b, int) else _PYELF_BIND[b]
        v = other["visibility"]
        v = (v if isinstance(v, int) else _PYELF_VIS[v]) & 3
        shndx = sym["st_shndx"]
        shndx = shndx if isinstance(shndx, int) else _PYELF_SHN[shndx]
        name = sym.name
        version, hidden = None, False
        if versym is not None:
            raw = versym[i] if i < len(versym) else 0
            version = vnames.get(raw & 0x7FFF) if (raw & 0x7FFF) > VER_NDX_GLOBAL else None
            hidden = bool(raw & VERSYM_HIDDEN) and version is not None
        elif is_object and "@" in name:
            name, version, hidden = _split_symver(name)
        yield Symbol(
            name=name,
            type="common" if shndx == SHN_COMMON else _type_name(t),
            binding=BINDINGS.get(b, f"bind{b}"),
            visibility=VISIBILITIES[v],
            size=sym["st_size"],
            defined=shndx != SHN_UNDEF,
            member=member,
            version=version,
            version_hidden=hidden,
            value=sym["st_value"],
        )


def read_elf(stream: BinaryIO, size: int, *, location: str,
             member: str | None = None) -> tuple[str, list[Symbol]]:
    """The symbols of one ELF file, read with pyelftools.

    Args:
        stream: a seekable binary stream holding the whole ELF file (an open
            file, or ``io.BytesIO`` for an archive member).
        size: the file's length in bytes.
        location: how errors name the input (``path`` or ``archive(member)``).
        member: the archive member name recorded in each :class:`Symbol`.
    Returns:
        ``(kind, symbols)``: kind ``'object'``, ``'shared'`` or ``'executable'``;
        symbols in table order (unsorted).
    Raises:
        ScanError: the file is not a readable ELF object or shared object
            (see :func:`_validate`), or its symbol tables are corrupt.
    """
    layout = _validate(stream, size, location)
    try:
        return layout.kind, list(_iter_pyelftools(layout, member))
    except PARSE_ERRORS as exc:
        raise ScanError(f"corrupt ELF symbol table: {one_line(exc)}", location=location) from None


def read_elf_bytes(data: bytes, *, location: str, member: str | None = None) -> tuple[str, list[Symbol]]:
    """:func:`read_elf` on bytes held in memory (an archive member)."""
    return read_elf(io.BytesIO(data), len(data), location=location, member=member)


def linked_symbols(path: str | os.PathLike) -> list[Symbol]:
    """The ``.symtab`` symbols of a linked executable or shared object.

    The build's audit uses this: a statically linked runtime's table entries
    are in ``.symtab`` only, not ``.dynsym``.

    Raises:
        ScanError: unreadable or corrupt file, or no ``.symtab`` (stripped).
    """
    location = os.fspath(path)
    try:
        with open(path, "rb") as stream:
            layout = _validate(stream, os.fstat(stream.fileno()).st_size, location, static_table=True)
            if layout.table is None:
                raise ScanError("no .symtab (stripped binary): its symbols cannot be audited",
                                location=location)
            return list(_iter_pyelftools(layout, None))
    except OSError as exc:
        raise ScanError(f"cannot read: {exc.strerror}", location=location) from None
    except PARSE_ERRORS as exc:
        raise ScanError(f"corrupt ELF symbol table: {one_line(exc)}", location=location) from None


def dynsym_count(path: str | os.PathLike) -> int:
    """The number of ``.dynsym`` entries of a shared object or executable, 0 if none.

    Raises:
        ScanError: as :func:`read_elf`.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        layout = _validate(f, os.fstat(f.fileno()).st_size, path)
        if layout.kind == "object" or layout.table is None:
            return 0
        return layout.table["sh_size"] // layout.table["sh_entsize"]


# --------------------------------------------------------------------------- LIEF


def read_shared_lief(path: str | os.PathLike) -> tuple[str, list[Symbol]]:
    """The ``.dynsym`` symbols of a shared object or executable, read with LIEF.

    Gives the same list as :func:`read_elf` (same order, same fields; the tests
    compare both on real libraries) but parses the table in C++, which pays off
    on very large tables (see scripts/bench/bench_symbols.py). LIEF's own
    ``exported_symbols`` ignores visibility and is not used: everything is
    read and :func:`sffi.symbols.exports` filters.

    Args:
        path: an ELF shared object or executable (not an archive or ``.o``).
    Returns:
        ``(kind, symbols)`` as :func:`read_elf`.
    Raises:
        ScanError: as :func:`read_elf` (the file is validated with pyelftools
            first), or LIEF could not parse it; also for a relocatable object.
    """
    import lief

    path = os.fspath(path)
    with open(path, "rb") as f:
        layout = _validate(f, os.fstat(f.fileno()).st_size, path)
    if layout.kind == "object":
        raise ScanError("the LIEF reader reads shared objects only", location=path)
    if layout.table is None:
        return layout.kind, []
    config = lief.ELF.ParserConfig()
    config.parse_relocations = False
    config.parse_symtab_symbols = False
    config.parse_notes = False
    config.parse_overlay = False
    config.parse_dyn_symbols = True
    config.parse_symbol_versions = True
    # Count .dynsym entries from its section header, as pyelftools does
    # (LIEF's default guesses from the hash tables).
    config.count_mtd = lief.ELF.ParserConfig.DYNSYM_COUNT.SECTION
    lief.logging.disable()
    try:
        binary = lief.ELF.parse(path, config)
    finally:
        lief.logging.enable()
    if binary is None:
        raise ScanError("LIEF could not parse this ELF file", location=path)
    with warnings.catch_warnings():
        # nanobind warns (and returns a plain int) for values outside LIEF's enums
        warnings.simplefilter("ignore", RuntimeWarning)
        return layout.kind, list(_iter_lief(binary))


def _iter_lief(binary) -> Iterator[Symbol]:
    for i, sym in enumerate(binary.dynamic_symbols):
        if i == 0:
            continue
        t = _enum_int(sym.type)
        if t in (3, 4):
            continue
        shndx = sym.shndx
        version, hidden = None, False
        if sym.has_version:
            sv = sym.symbol_version
            if (sv.value & 0x7FFF) > VER_NDX_GLOBAL and sv.has_auxiliary_version:
                version = _text(sv.symbol_version_auxiliary.name)
                hidden = bool(sv.value & VERSYM_HIDDEN)
        b = _enum_int(sym.binding)
        yield Symbol(
            name=_text(sym.name),
            type="common" if shndx == SHN_COMMON else _type_name(t),
            binding=BINDINGS.get(b, f"bind{b}"),
            visibility=VISIBILITIES[_enum_int(sym.visibility) & 3],
            size=sym.size,
            defined=shndx != SHN_UNDEF,
            member=None,
            version=version,
            version_hidden=hidden,
            value=sym.value,
        )


def _enum_int(value) -> int:
    """A LIEF enum member's number (LIEF gives a plain int for unknown values)."""
    return value if isinstance(value, int) else value.value


def _text(name: str | bytes) -> str:
    """LIEF returns bytes for names that are not UTF-8; decode them as pyelftools does."""
    return name.decode("utf-8", errors="replace") if isinstance(name, bytes) else name
