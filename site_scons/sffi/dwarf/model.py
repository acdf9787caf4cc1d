"""The reduced C type model both sides of a DWARF signature check are written in.

A C type is reduced to what the ABI cares about (:class:`CType`: kind, size,
signedness, pointer depth, struct fields), a function to its result and
parameter types (:class:`Prototype`); an incompatibility is a
:class:`Mismatch`. :mod:`sffi.dwarf.typereduce` builds them from DWARF 5 type
entries (§5.1 base, §5.3 modifiers, §5.4 typedefs, §5.7 structures, §5.9
enumerations), :mod:`sffi.dwarf.lowering` from ``.spl`` declarations, and
:mod:`sffi.dwarf.comparison` compares them.
"""

from __future__ import annotations

import dataclasses

KINDS = ("void", "int", "float", "bool", "struct", "unknown")


@dataclasses.dataclass(frozen=True)
class CType:
    """A C type reduced to what the ABI cares about.

    Attributes:
        kind: ``'void'``, ``'int'``, ``'float'``, ``'bool'``, ``'struct'`` or
            ``'unknown'`` (unions, arrays, functions, ``...``); for a pointer,
            the kind of what it finally points to.
        size: bytes of the value (of the final pointee for a pointer); 0 for void.
        signed: for ``'int'``, whether it is signed; None otherwise.
        pointer_depth: 0 for values, 1 for ``const char *``, 2 for ``const char *const *``.
        fields: for a struct passed by value, its members' types in order
            (base classes first); empty behind a pointer.
        spelling: how the source named it (``'int64_t'``, ``'*const c_char'``),
            for messages only: it is not compared (nor part of ``==``).
    """

    kind: str
    size: int
    signed: bool | None
    pointer_depth: int
    fields: tuple["CType", ...] = ()
    spelling: str = dataclasses.field(default="", compare=False)

    def shape(self) -> str:
        """What is compared, in words: ``'pointer to signed 8-byte int'``."""
        return "pointer to " * self.pointer_depth + self._base_shape()

    def _base_shape(self) -> str:
        behind = self.pointer_depth > 0
        if self.kind == "void":
            return "void: its pointee cannot be checked" if behind else "void"
        if self.kind == "int":
            if behind and self.size == 1:
                return "1-byte int"  # signedness of bytes behind a pointer is not compared
            return f"{'signed' if self.signed else 'unsigned'} {self.size}-byte int"
        if self.kind in ("float", "bool"):
            return f"{self.size}-byte {self.kind}"
        if self.kind == "struct":
            if behind or not self.fields:
                return f"struct of {self.size} bytes"
            return f"struct of {self.size} bytes {{{', '.join(f.shape() for f in self.fields)}}}"
        return f"unknown type{' ' + self.spelling if self.spelling else ''}: it cannot be checked"

    def describe(self) -> str:
        """``'int64_t (signed 8-byte int)'``: the spelling and the :meth:`shape`."""
        return f"{self.spelling} ({self.shape()})" if self.spelling else self.shape()


VOID = CType("void", 0, None, 0, spelling="void")


@dataclasses.dataclass(frozen=True)
class Prototype:
    """A function's C prototype: from DWARF (:func:`sffi.dwarf.read_prototypes`) or lowered
    (:func:`sffi.dwarf.lower`).

    Attributes:
        name: the symbol name.
        result: the result type (kind ``'void'`` when none).
        params: the C parameter types in order.
        location: ``'file.c:12'`` (DW_AT_decl_file/decl_line) when known, else the
            artifact path (``lib.a(member.o)``); for a lowered declaration its
            ``file:line:col``.
        decl: the sffi.decls.Declaration it was lowered from, else None; used
            to name ``.spl`` parameters in messages, not compared.
    """

    name: str
    result: CType
    params: tuple[CType, ...]
    location: str
    decl: object = dataclasses.field(default=None, compare=False, repr=False)

    def c_text(self) -> str:
        """A readable C-like prototype from the spellings: ``'int64_t rt_x(const char *, int64_t)'``."""
        result = self.result.spelling or self.result.shape()
        params = ", ".join(p.spelling or p.shape() for p in self.params) or "void"
        sep = "" if result.endswith("*") else " "
        return f"{result}{sep}{self.name}({params})"


@dataclasses.dataclass(frozen=True)
class Mismatch:
    """One incompatibility between a declaration and a definition.

    ``message`` names both sides: the declared ``.spl`` type with its C shape,
    and the definition's C spelling with its shape and location.
    """

    name: str
    message: str
