"""Reading C prototypes from the DWARF debug info of ELF objects, archives and shared objects.

:func:`read_prototypes` returns the prototype (:class:`~sffi.dwarf.model.Prototype`)
of each external function an artifact defines, :func:`has_debug_info` whether
it has DWARF at all. This module's job is the walk over the debugging
information entries to the wanted functions and the making of their
prototypes; ELF files and archive members are opened by :mod:`sffi.dwarf.elf`
(pyelftools, and the relocation recipes it lacks), and type entries are
reduced to :class:`~sffi.dwarf.model.CType` by :mod:`sffi.dwarf.typereduce`.

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

Types are reduced by :class:`sffi.dwarf.typereduce.Types` (typedefs §5.4,
modifiers §5.3, base types §5.1/§7.8, enumerations §5.9, structures §5.7).

Performance. A compile unit is never walked DIE by DIE: its top-level entries
are iterated (with GCC's ``DW_AT_sibling`` pyelftools skips each subtree),
namespaces are opened breadth first only while wanted names are missing, and
only the wanted functions have their types resolved. Given ``names``, archive
members whose symbol table (read by :func:`sffi.symbols.elf.read_elf`)
defines none of them get no DWARF parsing, and in linked files
``.debug_aranges`` (§6.1.2) picks the compile units. All ELF reading is
pyelftools' (``ELFFile.get_dwarf_info`` decompresses the debug sections and,
in ``.o`` files, relocates them); only the x86-64 TLS relocation recipes it
lacks are added (:mod:`sffi.dwarf.elf`). Most of the time now goes there:
pyelftools applies a ``.o``'s debug relocations one entry at a time
through its construct parser (about two thirds of the profile on the
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

import os
from collections import deque
from collections.abc import Iterable, Iterator

from elftools.dwarf.dwarfinfo import DWARFInfo

from sffi import decls
from sffi.dwarf.elf import Elf, elf_files
from sffi.dwarf.model import CType, Prototype
from sffi.dwarf.typereduce import NO_STRUCT_PREFIX, Types, children, text


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
    from sffi.symbols import DEBUG_INFO_SECTIONS, has_section  # the section table only

    return has_section(path, DEBUG_INFO_SECTIONS)


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
    for elf in elf_files(os.fspath(path)):
        if wanted is not None and not wanted - found.keys():
            break
        _read_elf(elf, wanted, found)
    return found


def _read_elf(elf: Elf, wanted: set[str] | None, found: dict[str, Prototype]) -> None:
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


def _units(dwarf: DWARFInfo, elf: Elf, missing: set[str] | None):
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
    types = Types(top.attributes.get("DW_AT_language") is None or
                  top.attributes["DW_AT_language"].value not in NO_STRUCT_PREFIX)
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
        for die in children(queue.popleft()):
            if die.tag == "DW_TAG_subprogram":
                yield die
            elif die.tag == "DW_TAG_namespace" and die.has_children:
                queue.append(die)


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
    return text(value) if value is not None else None


def _defines(die, chain: list) -> bool:
    """A definition of code (not a declaration, not only an abstract inline root) that is external."""
    attrs = die.attributes
    if "DW_AT_declaration" in attrs:
        return False
    has_code = "DW_AT_low_pc" in attrs or "DW_AT_ranges" in attrs or "DW_AT_entry_pc" in attrs
    if not has_code and "DW_AT_inline" in attrs:
        return False  # an abstract instance root (§3.3.8.1); its out-of-line copy is the definition
    return bool(_attr(chain, "DW_AT_external"))


def _prototype(name: str, chain: list, types: Types, files: "_Files", location: str) -> Prototype:
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
        params = [c for c in children(owner)
                  if c.tag in ("DW_TAG_formal_parameter", "DW_TAG_unspecified_parameters")]
        if params:
            return params
    return []


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
        name = text(entry.name)
        d = entry.dir_index if v5 else entry.dir_index - 1
        if not os.path.isabs(name) and entry.dir_index != 0 and 0 <= d < len(dirs):
            name = os.path.join(text(dirs[d]), name)  # directory 0 is the compilation directory
        return decls.display_path(name) if os.path.isabs(name) else name
