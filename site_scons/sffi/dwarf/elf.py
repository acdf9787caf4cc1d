"""ELF files and archive members opened with pyelftools, for the DWARF reader.

One job: turn a path into the ELF files to read DWARF from (:func:`elf_files`:
the file itself, or each ELF member of an ``ar`` archive) and wrap each in
:class:`Elf`, which checks every section against the file size, hands out
pyelftools' ``DWARFInfo`` (debug sections decompressed and, in an object file,
relocated) and turns what pyelftools raises on damaged input into
:class:`~sffi.errors.ScanError` naming the file and member.

References: the debug sections are those of DWARF 5 ("DWARF Debugging
Information Format Version 5") §7 (``.debug_info`` §7.5) and their ``.rela``
relocations; the x86-64 psABI ("System V Application Binary Interface, AMD64
Architecture Processor Supplement"), "Relocation Types" and "Thread-Local
Storage", for the R_X86_64_DTPOFF32/64 recipes pyelftools 0.33 lacks and this
module adds at import (:func:`_teach_pyelftools_tls_offsets`). The ELF header,
section header table and symbol table are checked and read first by
:func:`sffi.symbols.elf.read_elf`.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator

from elftools.common.exceptions import DWARFError, ELFRelocationError
from elftools.dwarf.dwarfinfo import DWARFInfo
from elftools.elf.elffile import ELFFile
from elftools.elf.enums import ENUM_RELOC_TYPE_x64
from elftools.elf.relocation import RelocationHandler

from sffi.errors import ScanError
from sffi.symbols import unsupported_message, read_head
from sffi.symbols.archive import is_archive, iter_members
from sffi.symbols.elf import ELF_MAGIC, PARSE_ERRORS, one_line, read_elf, read_elf_bytes
from sffi.symbols.layout import check_section, open_layout
from sffi.symbols.model import EXPORT_BINDINGS

#: What pyelftools raises on damaged DWARF, besides what the ELF layer raises.
_DWARF_ERRORS = PARSE_ERRORS + (DWARFError, NotImplementedError, RecursionError, AttributeError,
                                 ZeroDivisionError)


def _sym_plus_addend(value: int, sym_value: int, offset: int, addend: int = 0) -> int:
    """S + A (x86-64 psABI, "Relocation Types"): the calculation of R_X86_64_DTPOFF32/64."""
    return sym_value + addend


def _teach_pyelftools_tls_offsets() -> None:
    """Add R_X86_64_DTPOFF32 and R_X86_64_DTPOFF64 to pyelftools' x86-64 relocation recipes.

    GCC and clang describe a ``thread_local``/``_Thread_local`` variable's
    location in ``.debug_info`` with its offset in the TLS block, which an
    object file leaves to a DTPOFF32 (GCC) or DTPOFF64 (clang) relocation
    (x86-64 psABI, "Thread-Local Storage": the offset of the symbol in its
    module's TLS block, S + A for an object file's symbol values).
    pyelftools 0.33 has no recipe for them, and its ``get_dwarf_info`` raises
    ``ELFRelocationError: Unsupported relocation type: 21`` on any such
    object. The value written only reaches DW_AT_location expressions of TLS
    variables, which this package never reads. ``setdefault``: a pyelftools
    that knows them keeps its own recipe.
    """
    recipes = RelocationHandler._RELOCATION_RECIPES_X64
    for name, size in (("R_X86_64_DTPOFF32", 4), ("R_X86_64_DTPOFF64", 8)):
        recipe = RelocationHandler._RELOCATION_RECIPE_TYPE(bytesize=size, has_addend=True,
                                                           calc_func=_sym_plus_addend)
        recipes.setdefault(ENUM_RELOC_TYPE_x64[name], recipe)


_teach_pyelftools_tls_offsets()


def elf_files(location: str) -> Iterator["Elf"]:
    """The ELF file at ``location``, or each ELF member of the archive there."""
    head, _size = read_head(location)
    if is_archive(head):
        for m in iter_members(location):
            if m.data[:4] == ELF_MAGIC:
                where = f"{location}({m.name})"
                yield Elf(io.BytesIO(m.data), read_elf_bytes(m.data, location=where)[1], where)
        return
    if head[:4] != ELF_MAGIC:
        raise ScanError(unsupported_message(location, head), location=location)
    try:
        with open(location, "rb") as f:
            _kind, symbols = read_elf(f, os.fstat(f.fileno()).st_size, location=location)
            yield Elf(f, symbols, location)
    except OSError as exc:
        raise ScanError(f"cannot read: {exc.strerror or exc}", location=location) from None


class Elf:
    """One ELF file (or archive member), read with pyelftools' ``ELFFile``.

    Created after :func:`sffi.symbols.elf.read_elf` has checked the ELF
    header, the section header table and the symbol table against the file
    size and read the symbols; the constructor checks the other sections.

    Attributes:
        file: the ``ELFFile``.
        location: how errors name it (``path`` or ``archive(member)``).
        defined: name -> ``st_value`` of the symbols it defines for others
            (global, weak or unique binding).
        relocatable: an object file (ET_REL), whose debug sections pyelftools
            relocates, rather than a linked one.
        has_dwarf: it has a ``.debug_info`` or ``.zdebug_info`` section.
    """

    def __init__(self, stream, symbols: list, location: str):
        self.location = location
        self.defined = {s.name: s.value for s in symbols if s.defined and s.binding in EXPORT_BINDINGS}
        _check_sections(stream, location)
        with self.errors("corrupt ELF file"):
            self.file = ELFFile(stream)
            self.relocatable = self.file["e_type"] == "ET_REL"
            self.has_dwarf = self.file.has_dwarf_info(strict=True)

    @contextlib.contextmanager
    def errors(self, what: str) -> Iterator[None]:
        """Turn what pyelftools raises on damaged input into ScanError("<what>: ...") naming the file."""
        try:
            yield
        except ScanError:
            raise
        except ELFRelocationError as exc:
            raise ScanError(f"cannot relocate the debug sections: {one_line(exc)}",
                            location=self.location) from None
        except _DWARF_ERRORS as exc:
            raise ScanError(f"{what}: {one_line(exc)}", location=self.location) from None

    def dwarf_info(self) -> DWARFInfo:
        """pyelftools' DWARFInfo (its debug sections decompressed and, in an object, relocated)."""
        return self.file.get_dwarf_info(relocate_dwarf_sections=True, follow_links=False)


def _check_sections(stream, location: str) -> None:
    """Raise ScanError when any section (but SHT_NOBITS) lies past the end of the file.

    pyelftools trusts ``sh_offset``/``sh_size``: for DWARF it reads the debug
    sections, their relocations and ``.eh_frame`` whole, so a size of 2**62
    ends in a MemoryError and a short one in a parse error somewhere inside.
    The check is the symbol scanner's (:func:`sffi.symbols.layout.check_section`).
    """
    layout = open_layout(stream, stream.seek(0, os.SEEK_END), location)
    for sec in layout.sections:
        check_section(layout, sec)
