"""DWARF type entries reduced to the type model (:class:`~sffi.dwarf.model.CType`).

One job: :class:`Types` reduces the type entries of one compile unit as the
comparison rules (:mod:`sffi.dwarf.comparison`) need them: through
``typedef`` (DWARF 5 §5.4) and the modifiers (§5.3) to a base type (§5.1,
``DW_AT_encoding`` codes in §7.8), an enumeration (§5.9) or a structure
(§5.7, fields by value only, base classes §5.7.3 as leading fields), pointers
and C++ references each adding one level of pointer depth; anything else
(unions, arrays, functions) reduces to kind ``'unknown'``. Sizes are
``DW_AT_byte_size``/``DW_AT_bit_size`` (§2.21); whether names are spelled
with a ``struct``/``enum`` keyword depends on the unit's ``DW_AT_language``
(§7.12, :data:`NO_STRUCT_PREFIX`).

It also holds the two DIE helpers the reader (:mod:`sffi.dwarf.reader`)
shares: :func:`children`, a child walk that refuses a backwards
``DW_AT_sibling`` (§2.3), and :func:`text`, a DWARF string value as ``str``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from elftools.common.exceptions import DWARFError

from sffi.dwarf.model import VOID, CType

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
NO_STRUCT_PREFIX = {0x0004, 0x0019, 0x001A, 0x0021, 0x002A, 0x002B, 0x001C}
_MAX_TYPE_DEPTH = 64  # a deeper typedef/modifier chain is corrupt (or cyclic) data


def text(value) -> str:
    """A DWARF string value (``bytes`` from pyelftools) as ``str``, undecodable bytes replaced."""
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


def children(die) -> Iterator:
    """The children of ``die`` (``die.iter_children()``), refusing a DW_AT_sibling that
    does not move forward (pyelftools would loop for ever on such corrupt data)."""
    last = die.offset
    for child in die.iter_children():
        if child.offset <= last:
            raise DWARFError(f"DW_AT_sibling of the entry before offset {child.offset} points backwards")
        last = child.offset
        yield child


class Types:
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
        name = text(attrs["DW_AT_name"].value) if "DW_AT_name" in attrs else ""
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
        for child in children(die):
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
    for child in children(die):
        value = child.attributes.get("DW_AT_const_value")
        if value is not None and isinstance(value.value, int) and value.value < 0:
            return True
    return False
