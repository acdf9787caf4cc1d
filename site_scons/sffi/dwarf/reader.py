"""Reading C prototypes from the DWARF debug info of ELF objects, archives and shared objects.

:func:`read_prototypes` returns the prototype (:class:`~sffi.dwarf.model.Prototype`)
of each external function an artifact defines, :func:`has_debug_info` whether
it has DWARF at all. All ELF and DWARF reading of the package is here: opening
ELF files and archive members with pyelftools (and the relocation recipes it
lacks), walking the debugging information entries, and reducing type entries
to :class:`~sffi.dwarf.model.CType`.

What is read (DWARF 5, "DWARF Debugging Information Format Version 5"; the
DWARF 2-4 forms pyelftools also reads):

* functions: ``DW_TAG_subprogram`` entries that define code (not
  ``DW_AT_declaration``, not an abstract inline root, §3.3.8.1) and are
  ``DW_AT_external`` (§3.3.1), at the top of a compile unit or inside
  ``DW_TAG_namespace`` entries (§3.2.2: rustc puts ``#[no_mangle]`` functions
  in the crate's namespace). ``DW_AT_specification`` (§2.13.2, GCC's C++
  definitions) and ``DW_AT_abstract_origin`` (§3.3.8, out-of-line copies of
  inlined functions) are followed for the name, result, parameters and
  ``DW_AT_decl_file``/``DW_AT_decl_line`` (§2.14; file names from the line
  program header, §6.2.4). The symbol name is ``DW_AT_linkage_name`` (§2.22)
  when present, else ``DW_AT_name``.
* parameters: the ``DW_TAG_formal_parameter`` children in order (§3.3.4,
  §4.1); a ``DW_TAG_unspecified_parameters`` child (``...``) becomes an
  ``unknown`` parameter spelled ``...``. No ``DW_AT_type`` on the function
  means a ``void`` result (§3.3.2), which is also how rustc writes ``()``.

Types (``_Types``) are reduced as the comparison rules
(:mod:`sffi.dwarf.comparison`) need them: through ``typedef`` (§5.4) and the
modifiers (§5.3) to a base type (§5.1, ``DW_AT_encoding`` codes in §7.8), an
enumeration (§5.9) or a structure (§5.7, fields by value only), pointers and
C++ references each adding one level of pointer depth; anything else
(unions, arrays, functions) reduces to kind ``'unknown'``.

Performance. A compile unit is never walked DIE by DIE: its top-level entries
are iterated (with GCC's ``DW_AT_sibling`` pyelftools skips each subtree),
namespaces are opened breadth first only while wanted names are missing, and
only the wanted functions have their types resolved. Given ``names``, archive
members whose symbol table (read by :func:`sffi.symbols.elf.read_elf`)
defines none of them get no DWARF parsing, and in linked files
``.debug_aranges`` (§6.1.2) picks the compile units. All ELF reading is
pyelftools' (``ELFFile.get_dwarf_info`` decompresses the debug sections and,
in ``.o`` files, relocates them); only the x86-64 TLS relocation recipes it
lacks are added (:func:`_teach_pyelftools_tls_offsets`). Most of the time
now goes there: pyelftools applies a ``.o``'s debug relocations one entry at
a time through its construct parser (about two thirds of the profile on the
object below) and finds each section's relocation section by parsing every
section header again (about a sixth).

Measured here with scripts/bench/bench_dwarf.py (AMD EPYC, 2 cores; Python
3.11.7, pyelftools 0.33; best of 3 calls in one process after a warm-up,
``time.perf_counter`` around ``read_prototypes``; runs vary by about 15%):
``ffi_libs/opencv/src/core.cpp`` (OpenCV 4 and libstdc++ headers) compiled with
``c++ -std=c++17 -g -O0 $(pkg-config --cflags opencv4) -I runtime/include -c``
gives a 943 KB object (184 KB of ``.debug_info``, 954 sections, ~11,000
debug relocations); ``read_prototypes(obj, <its 13 rt_opencv_* exports>)``
takes 0.69 s and all 403 external functions (``names=None``) 0.74 s, against
0.89 s to relocate and visit every DIE with pyelftools' ``iter_DIEs``. With
``-O2`` (1.3 MB): 1.08 s, 1.12 s and 1.37 s. (A hand-written bulk ELF
reader and relocator did 41 ms and 82 ms at ``-O0``: the price of reading
ELF with the library.) A 21 MB Rust staticlib (320 members, std's included)
without the wanted names in its DWARF: 0.94 s with ``names`` (every
member's symbol table read; 33 ms before), 10.1 s for ``names=None``
(1.8 s before).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
from collections import deque
from collections.abc import Iterable, Iterator

from elftools.common.exceptions import DWARFError, ELFRelocationError
from elftools.dwarf.dwarfinfo import DWARFInfo
from elftools.elf.elffile import ELFFile
from elftools.elf.enums import ENUM_RELOC_TYPE_x64
from elftools.elf.relocation import RelocationHandler

from sffi import decls
from sffi.dwarf.model import VOID, CType, Prototype
from sffi.errors import ScanError
from sffi.symbols import unsupported_message, read_head
from sffi.symbols.archive import is_archive, iter_members
from sffi.symbols.elf import ELF_MAGIC, PARSE_ERRORS, one_line, read_elf, read_elf_bytes
from sffi.symbols.model import EXPORT_BINDINGS

#: What pyelftools raises on damaged DWARF, besides what the ELF layer raises.
_DWARF_ERRORS = PARSE_ERRORS + (DWARFError, NotImplementedError, RecursionError, AttributeError,
                                 ZeroDivisionError)

#: Type modifiers followed to the base type (DWARF 5 §5.3), with their C spelling.
_QUALIFIERS = {"DW_TAG_const_type": "const", "DW_TAG_volatile_type": "volatile",
               "DW_TAG_restrict_type": "restrict", "DW_TAG_atomic_type": "_Atomic",
               "DW_TAG_immutable_type": "immutable", "DW_TAG_packed_type": "packed",
               "DW_TAG_shared_type": "shared"}
#: Pointer-like modifiers (§5.3): each adds one level of pointer depth.
_POINTERS = {"DW_TAG_pointer_type": "*", "DW_TAG_reference_type": "&",
             "DW_TAG_rvalue_reference_type": "&&"}
#: DW_ATE_* base type encodings (DWARF 5 §7.8, table 7.11) -> (kind, signed).
_ENCODINGS = {0x01: ("int", False),   # DW_ATE_address
              0x02: ("bool", None),   # DW_ATE_boolean
              0x04: ("float", None),  # DW_ATE_float
              0x05: ("int", True),    # DW_ATE_signed
              0x06: ("int", True),    # DW_ATE_signed_char
              0x07: ("int", False),   # DW_ATE_unsigned
              0x08: ("int", False),   # DW_ATE_unsigned_char
              0x10: ("int", False)}   # DW_ATE_UTF (char8_t/char16_t/char32_t, Rust char)
#: DW_LANG_* codes (§7.12; 0x2A/0x2B C++17/20 from DWARF 6 drafts) whose type names
#: carry no ``struct`` prefix: the C++ dialects and Rust (0x1C).
_NO_STRUCT_PREFIX = {0x0004, 0x0019, 0x001A, 0x0021, 0x002A, 0x002B, 0x001C}
_MAX_TYPE_DEPTH = 64  # a deeper typedef/modifier chain is corrupt (or cyclic) data
#: Prefixes of the sections pyelftools reads for DWARF (and their relocations).
_DEBUG_PREFIXES = (".debug_", ".zdebug_", ".rela.debug_", ".rel.debug_")


def has_debug_info(path) -> bool:
    """Whether an object, archive or shared object carries DWARF debug info.

    Args:
        path: a ``.o``, ``.a``/``.rlib`` (any ELF member counts) or ``.so``.
    Returns:
        True when it (or any ELF member) has a ``.debug_info`` (or
        ``.zdebug_info``) section, the section of the debugging information
        entries (DWARF 5 §7.5). rustc's staticlibs always have one: the
        standard library's members carry line-table debug info.
    Raises:
        ScanError: missing, unreadable or corrupt input (names the file and member).
    """
    return any(elf.has_dwarf for elf in _elf_files(os.fspath(path)))


def read_prototypes(path, names: Iterable[str] | None = None) -> dict[str, Prototype]:
    """The prototypes of the external functions an object, archive or shared object defines.

    Args:
        path: a ``.o``, ``.a``/``.rlib`` (each ELF member is read; non-ELF
            members such as ``lib.rmeta`` are skipped) or ``.so``.
        names: only these symbol names (None: every defined external
            function). Members and compile units that cannot hold one of them
            are skipped, and the walk stops once all are found.
    Returns:
        symbol name -> Prototype, for DW_TAG_subprogram entries that define
        code and are DW_AT_external (DWARF 5 §3.3.1), following
        DW_AT_specification (§2.13.2) and DW_AT_abstract_origin (§3.3.8.2).
        The first definition found wins. Empty when there is no debug info.
    Raises:
        ScanError: missing, unreadable or corrupt input or DWARF; the message
            names the file and the archive member.
    """
    wanted = None if names is None else set(names)
    found: dict[str, Prototype] = {}
    for elf in _elf_files(os.fspath(path)):
        if wanted is not None and not wanted - found.keys():
            break
        _read_elf(elf, wanted, found)
    return found


def _read_elf(elf: "_Elf", wanted: set[str] | None, found: dict[str, Prototype]) -> None:
    """Add the prototypes one ELF file defines (of ``wanted`` not yet ``found``) to ``found``."""
    if not elf.has_dwarf:
        return
    missing = None
    if wanted is not None:
        missing = (wanted - found.keys()) & elf.defined.keys()  # a file defining none of them is not parsed
        if not missing:
            return
    with elf.errors("corrupt DWARF debug info"):
        dwarf = elf.dwarf_info()
        for cu in _units(dwarf, elf, missing):
            _read_unit(dwarf, cu, elf.location, missing, found)
            if missing is not None and not missing:
                return


def _units(dwarf: DWARFInfo, elf: "_Elf", missing: set[str] | None):
    """The compile units to read: in a linked file with .debug_aranges (DWARF 5 §6.1.2),
    only those whose address ranges hold a wanted symbol; else all."""
    if missing is None or elf.relocatable or dwarf.debug_aranges_sec is None:
        return dwarf.iter_CUs()
    aranges = dwarf.get_aranges()
    offsets = {aranges.cu_offset_at_addr(elf.defined[n]) for n in missing}
    if None in offsets:
        return dwarf.iter_CUs()  # a function outside every range: read everything
    return [dwarf.get_CU_at(o) for o in sorted(offsets)]


def _read_unit(dwarf: DWARFInfo, cu, location: str, missing: set[str] | None,
               found: dict[str, Prototype]) -> None:
    """Read the wanted external function definitions of one compile unit."""
    top = cu.get_top_DIE()
    types = _Types(top.attributes.get("DW_AT_language") is None or
                   top.attributes["DW_AT_language"].value not in _NO_STRUCT_PREFIX)
    files = _Files(dwarf, cu)
    for die in _subprograms(top):
        name = _symbol_name(die)
        if name is None or name in found or (missing is not None and name not in missing):
            continue
        chain = _chain(die)
        if not _defines(die, chain):
            continue
        found[name] = _prototype(name, chain, types, files, location)
        if missing is not None:
            missing.discard(name)
            if not missing:
                return


def _subprograms(top) -> Iterator:
    """DW_TAG_subprogram entries at the top of a unit, then inside namespaces, breadth first.

    Children are iterated, never the whole unit: with DW_AT_sibling (GCC)
    pyelftools skips each subtree. The caller stops the generator when done.
    """
    queue = deque([top])
    while queue:
        for die in _children(queue.popleft()):
            if die.tag == "DW_TAG_subprogram":
                yield die
            elif die.tag == "DW_TAG_namespace" and die.has_children:
                queue.append(die)


def _children(die) -> Iterator:
    """``die.iter_children()``, refusing a DW_AT_sibling that does not move forward
    (pyelftools would loop for ever on such corrupt data)."""
    last = die.offset
    for child in die.iter_children():
        if child.offset <= last:
            raise DWARFError(f"DW_AT_sibling of the entry before offset {child.offset} points backwards")
        last = child.offset
        yield child


def _chain(die) -> list:
    """``die`` and the entries it completes or instantiates (DW_AT_specification §2.13.2,
    DW_AT_abstract_origin §3.3.8.2), nearest first."""
    chain = [die]
    while len(chain) < 8:
        attrs = chain[-1].attributes
        ref = next((a for a in ("DW_AT_specification", "DW_AT_abstract_origin") if a in attrs), None)
        if ref is None:
            break
        chain.append(chain[-1].get_DIE_from_attribute(ref))
    return chain


def _attr(chain: list, name: str):
    """The first value of attribute ``name`` along ``chain``, else None."""
    for die in chain:
        if name in die.attributes:
            return die.attributes[name].value
    return None


def _symbol_name(die) -> str | None:
    """The symbol a subprogram defines: DW_AT_linkage_name (§2.22), else DW_AT_name (§2.15)."""
    attrs = die.attributes
    if not any(a in attrs for a in ("DW_AT_specification", "DW_AT_abstract_origin")):
        value = next((attrs[a].value for a in ("DW_AT_linkage_name", "DW_AT_MIPS_linkage_name",
                                              "DW_AT_name") if a in attrs), None)
    else:
        chain = _chain(die)
        value = (_attr(chain, "DW_AT_linkage_name") or _attr(chain, "DW_AT_MIPS_linkage_name")
                 or _attr(chain, "DW_AT_name"))
    return _text(value) if value is not None else None


def _defines(die, chain: list) -> bool:
    """A definition of code (not a declaration, not only an abstract inline root) that is external."""
    attrs = die.attributes
    if "DW_AT_declaration" in attrs:
        return False
    has_code = "DW_AT_low_pc" in attrs or "DW_AT_ranges" in attrs or "DW_AT_entry_pc" in attrs
    if not has_code and "DW_AT_inline" in attrs:
        return False  # an abstract instance root (§3.3.8.1); its out-of-line copy is the definition
    return bool(_attr(chain, "DW_AT_external"))


def _prototype(name: str, chain: list, types: "_Types", files: "_Files", location: str) -> Prototype:
    result = types.of(chain)
    params = []
    for param in _param_entries(chain):
        if param.tag == "DW_TAG_unspecified_parameters":
            params.append(CType("unknown", 0, None, 0, spelling="..."))
        else:
            params.append(types.of(_chain(param)))
    line = _attr(chain, "DW_AT_decl_line")
    file = files.name(_attr(chain, "DW_AT_decl_file"))
    where = f"{file}:{line}" if file and line else (file or location)
    return Prototype(name, result, tuple(params), where)


def _param_entries(chain: list) -> list:
    """The parameter entries of the most abstract entry of ``chain`` that lists any.

    An out-of-line copy of an inlined function may omit optimised-away
    parameters; its abstract origin (or the declaration it completes) lists all.
    """
    for owner in reversed(chain):
        params = [c for c in _children(owner)
                  if c.tag in ("DW_TAG_formal_parameter", "DW_TAG_unspecified_parameters")]
        if params:
            return params
    return []


def _text(value) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


class _Types:
    """Reduces type entries of one compile unit to CType, with a cache by DIE offset."""

    def __init__(self, struct_prefix: bool):
        self.struct_prefix = struct_prefix  # C spells `struct name`; C++ and Rust do not
        self.cache: dict[tuple[int, bool], CType] = {}

    def of(self, chain: list) -> CType:
        """The type that the first DW_AT_type along ``chain`` names; void when none (§3.3.2)."""
        for die in chain:
            if "DW_AT_type" in die.attributes:
                return self.reduce(die.get_DIE_from_attribute("DW_AT_type"))
        return VOID

    def reduce(self, die, shallow: bool = False, depth: int = 0) -> CType:
        """``die`` reduced; ``shallow`` (behind a pointer) leaves struct fields out,
        which also keeps self-referencing structs finite."""
        key = (die.offset, shallow)
        if key not in self.cache:
            if depth > _MAX_TYPE_DEPTH:
                return CType("unknown", 0, None, 0, spelling="(type chain too deep)")
            self.cache[key] = self._reduce(die, shallow, depth + 1)
        return self.cache[key]

    def _target(self, die, shallow: bool, depth: int) -> CType:
        if "DW_AT_type" not in die.attributes:
            return VOID  # `const void`, `void *`
        return self.reduce(die.get_DIE_from_attribute("DW_AT_type"), shallow, depth)

    def _reduce(self, die, shallow: bool, depth: int) -> CType:
        """Modifiers and typedefs are followed here; named types go to :meth:`_base`."""
        tag, attrs = die.tag, die.attributes
        name = _text(attrs["DW_AT_name"].value) if "DW_AT_name" in attrs else ""
        if tag in _QUALIFIERS:  # §5.3: a qualifier does not change the representation
            inner = self._target(die, shallow, depth)
            return dataclasses.replace(inner, spelling=_qualify(inner, _QUALIFIERS[tag]))
        if tag == "DW_TAG_typedef":  # §5.4
            return dataclasses.replace(self._target(die, shallow, depth), spelling=name)
        if tag in _POINTERS:  # §5.3; rustc names its pointer types (`*const i8`)
            inner = self._target(die, True, depth)
            gap = "" if inner.spelling.endswith("*") else " "
            spelling = name or f"{inner.spelling}{gap}{_POINTERS[tag]}"
            return CType(inner.kind, inner.size, inner.signed, inner.pointer_depth + 1, spelling=spelling)
        return self._base(die, name, shallow, depth)

    def _base(self, die, name: str, shallow: bool, depth: int) -> CType:
        """Base (§5.1), enumeration (§5.9) and structure (§5.7) types; others are 'unknown'."""
        tag, attrs = die.tag, die.attributes
        size = _byte_size(attrs)
        if tag == "DW_TAG_base_type":
            encoding = attrs["DW_AT_encoding"].value if "DW_AT_encoding" in attrs else None
            kind, signed = _ENCODINGS.get(encoding, ("unknown", None))
            return CType(kind, size, signed, 0, spelling=name)
        if tag == "DW_TAG_enumeration_type":  # as its underlying type (DW_AT_type) when given
            if "DW_AT_type" in attrs:
                inner = self._target(die, shallow, depth)
                return dataclasses.replace(inner, spelling=self._tagged("enum", name))
            return CType("int", size, _enum_signed(die), 0, spelling=self._tagged("enum", name))
        if tag in ("DW_TAG_structure_type", "DW_TAG_class_type"):
            fields = () if shallow or "DW_AT_declaration" in attrs else self._fields(die, depth)
            return CType("struct", size, None, 0, fields, spelling=self._tagged("struct", name))
        if tag == "DW_TAG_union_type":
            return CType("unknown", size, None, 0, spelling=self._tagged("union", name))
        if tag == "DW_TAG_array_type":
            inner = self._target(die, True, depth)
            return CType("unknown", size, None, 0, spelling=name or f"{inner.spelling}[]")
        # subroutine types (a function, behind a function pointer), unspecified types, ...
        return CType("unknown", size, None, 0, spelling=name or tag[len("DW_TAG_"):])

    def _tagged(self, keyword: str, name: str) -> str:
        if not name:
            return f"{keyword} {{...}}"
        return f"{keyword} {name}" if self.struct_prefix else name

    def _fields(self, die, depth: int) -> tuple[CType, ...]:
        """Data members in order (§5.7.6), base classes (§5.7.3) as leading fields;
        static members (DW_AT_declaration/DW_AT_external) are not part of the layout."""
        fields = []
        for child in _children(die):
            if child.tag not in ("DW_TAG_member", "DW_TAG_inheritance"):
                continue
            attrs = child.attributes
            if "DW_AT_declaration" in attrs or "DW_AT_external" in attrs or "DW_AT_type" not in attrs:
                continue
            field = self.reduce(child.get_DIE_from_attribute("DW_AT_type"), False, depth)
            if "DW_AT_bit_size" in attrs:  # a bit-field: not a C ABI type of its own
                bits = attrs["DW_AT_bit_size"].value
                field = CType("unknown", 0, None, 0, spelling=f"{field.spelling} : {bits}")
            fields.append(field)
        return tuple(fields)


def _qualify(inner: CType, word: str) -> str:
    """C spelling of ``word`` applied to ``inner``: ``const char``, ``char *const``."""
    if inner.pointer_depth and inner.spelling.endswith("*"):
        return f"{inner.spelling}{word}"
    return f"{word} {inner.spelling}"


def _byte_size(attrs) -> int:
    """DW_AT_byte_size, or DW_AT_bit_size rounded up to bytes (§2.21)."""
    if "DW_AT_byte_size" in attrs and isinstance(attrs["DW_AT_byte_size"].value, int):
        return attrs["DW_AT_byte_size"].value
    if "DW_AT_bit_size" in attrs and isinstance(attrs["DW_AT_bit_size"].value, int):
        return (attrs["DW_AT_bit_size"].value + 7) // 8
    return 0


def _enum_signed(die) -> bool:
    """Without an underlying type, an enumeration is signed when an enumerator is negative."""
    for child in _children(die):
        value = child.attributes.get("DW_AT_const_value")
        if value is not None and isinstance(value.value, int) and value.value < 0:
            return True
    return False


class _Files:
    """File names for DW_AT_decl_file, from the unit's line program header (§6.2.4)."""

    def __init__(self, dwarf: DWARFInfo, cu):
        self.dwarf, self.cu = dwarf, cu
        self.header, self.cache = None, {}

    def name(self, index) -> str | None:
        """The file numbered ``index``, relative to the working directory when below it."""
        if not isinstance(index, int):
            return None
        if index not in self.cache:
            if self.header is None:
                program = self.dwarf.line_program_for_CU(self.cu)
                self.header = program.header if program is not None else False
            self.cache[index] = self._lookup(index) if self.header is not False else None
        return self.cache[index]

    def _lookup(self, index: int) -> str | None:
        v5 = self.header["version"] >= 5  # DWARF 5 numbers files and directories from 0, earlier from 1
        entries, dirs = self.header["file_entry"], self.header["include_directory"]
        i = index if v5 else index - 1
        if not 0 <= i < len(entries):
            return None
        entry = entries[i]
        name = _text(entry.name)
        d = entry.dir_index if v5 else entry.dir_index - 1
        if not os.path.isabs(name) and entry.dir_index != 0 and 0 <= d < len(dirs):
            name = os.path.join(_text(dirs[d]), name)  # directory 0 is the compilation directory
        return decls.display_path(name) if os.path.isabs(name) else name


# ----------------------------------------------------------------- ELF files (pyelftools)


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
    variables, which this module never reads. ``setdefault``: a pyelftools
    that knows them keeps its own recipe.
    """
    recipes = RelocationHandler._RELOCATION_RECIPES_X64
    for name, size in (("R_X86_64_DTPOFF32", 4), ("R_X86_64_DTPOFF64", 8)):
        recipe = RelocationHandler._RELOCATION_RECIPE_TYPE(bytesize=size, has_addend=True,
                                                           calc_func=_sym_plus_addend)
        recipes.setdefault(ENUM_RELOC_TYPE_x64[name], recipe)


_teach_pyelftools_tls_offsets()


def _elf_files(location: str) -> Iterator["_Elf"]:
    """The ELF file at ``location``, or each ELF member of the archive there."""
    head, _size = read_head(location)
    if is_archive(head):
        for m in iter_members(location):
            if m.data[:4] == ELF_MAGIC:
                where = f"{location}({m.name})"
                yield _Elf(io.BytesIO(m.data), read_elf_bytes(m.data, location=where)[1], where)
        return
    if head[:4] != ELF_MAGIC:
        raise ScanError(unsupported_message(location, head), location=location)
    try:
        with open(location, "rb") as f:
            _kind, symbols = read_elf(f, os.fstat(f.fileno()).st_size, location=location)
            yield _Elf(f, symbols, location)
    except OSError as exc:
        raise ScanError(f"cannot read: {exc.strerror or exc}", location=location) from None


class _Elf:
    """One ELF file (or archive member), read with pyelftools' ``ELFFile``.

    Created after :func:`sffi.symbols.elf.read_elf` has checked the ELF
    header, the section header table and the symbol table against the file
    size and read the symbols.

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
        self._check_debug_sections()
        return self.file.get_dwarf_info(relocate_dwarf_sections=True, follow_links=False)

    def _check_debug_sections(self) -> None:
        """Raise ScanError when a debug section (or its relocations) lies past the end of the file.

        pyelftools would read such a section short and report the damage as
        a DWARF parse error somewhere inside it.
        """
        size = self.file.stream.seek(0, os.SEEK_END)
        for sec in self.file.iter_sections():
            if not sec.name.startswith(_DEBUG_PREFIXES) or sec["sh_type"] == "SHT_NOBITS":
                continue
            start, length = sec["sh_offset"], sec["sh_size"]
            if start + length > size:
                raise ScanError(f"truncated ELF file: section {sec.name} spans bytes "
                                f"{start}..{start + length}, file has {size} bytes",
                                location=self.location)
