"""Signature checks from DWARF: each export's C prototype against its ``extern fn``.

ELF symbol tables carry no types; DWARF debug info (``cc -g``, ``rustc -g``)
does. When a library is built with it, this package reads the prototype of
each exported function and compares it with the C lowering of its
declaration (docs/abi.md, "Signature checks from DWARF")::

    from sffi import dwarf
    mismatches, absent = dwarf.check_declarations(declared, "build/x/libs/sqlite/libsffi_sqlite.rlib")

Modules, one job each (section numbers are of DWARF 5, "DWARF Debugging
Information Format Version 5"):

* :mod:`sffi.dwarf.model`: the reduced type model, :class:`CType`,
  :class:`Prototype`, :class:`Mismatch`, :data:`VOID` and :data:`KINDS`.
* :mod:`sffi.dwarf.reader`: what is read, :func:`read_prototypes` and
  :func:`has_debug_info`. External ``DW_TAG_subprogram`` definitions
  (§3.3.1) at the top of compile units or in namespaces (§3.2.2), following
  ``DW_AT_specification`` (§2.13.2) and ``DW_AT_abstract_origin`` (§3.3.8);
  their parameters (§3.3.4, §4.1) and source positions (§2.14, §6.2.4);
  the Performance notes with measurements.
* :mod:`sffi.dwarf.elf`: ELF files and archive members opened with
  pyelftools for the reader, with the x86-64 TLS relocation recipes
  (psABI) pyelftools lacks; damage becomes ``ScanError``.
* :mod:`sffi.dwarf.typereduce`: type entries reduced to :class:`CType`
  through typedefs (§5.4) and modifiers (§5.3) to base types (§5.1),
  enumerations (§5.9) and structures (§5.7).
* :mod:`sffi.dwarf.lowering`: :func:`lower`, the C prototype of a ``.spl``
  declaration per the ABI table (sffi.abi), with 8-byte pointers.
* :mod:`sffi.dwarf.comparison`: :func:`compare` and the comparison rules.
  Names are never compared, only kinds, sizes, pointer depths and int
  signedness (§5.1, §7.8); 1-byte ints are interchangeable behind a pointer;
  an enumeration (§5.9) counts as its underlying int; a struct (§5.7) by value
  is compared field by field, behind a pointer by size; ``void *`` cannot be
  checked against a typed declaration.
* :mod:`sffi.dwarf.check`: :func:`check_declarations`, the three joined, and
  :func:`check_artifacts`, the same over a library's files.

The names below are the package's public API.
"""

from sffi.dwarf.check import check_artifacts, check_declarations
from sffi.dwarf.comparison import compare
from sffi.dwarf.lowering import lower
from sffi.dwarf.model import KINDS, VOID, CType, Mismatch, Prototype
from sffi.dwarf.reader import has_debug_info, read_prototypes

__all__ = ["KINDS", "VOID", "CType", "Mismatch", "Prototype", "check_artifacts", "check_declarations", "compare",
           "has_debug_info", "lower", "read_prototypes"]
