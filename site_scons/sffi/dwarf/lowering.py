"""Lowering: the C prototype a ``.spl`` declaration stands for, per the ABI table.

:func:`lower` writes a declaration (sffi.decls.Declaration) in the reduced
type model (:mod:`sffi.dwarf.model`) by the table of sffi.abi and docs/abi.md,
so that :mod:`sffi.dwarf.comparison` can set it against a prototype read from
DWARF. :func:`lower` assumes 8-byte pointers (slice structs of 16 bytes): the
ABI targets 64-bit ELF platforms.
"""

from __future__ import annotations

import dataclasses

from sffi import abi
from sffi.dwarf.model import VOID, CType, Prototype


def _int(size: int, spelling: str, depth: int = 0, signed: bool = True) -> CType:
    return CType("int", size, signed, depth, spelling=spelling)


def _scalar(s: abi.Scalar, depth: int = 0, spelling: str = "") -> CType:
    spelling = spelling or s.c
    if s.kind == "int":
        return _int(s.size, spelling, depth, s.signed)
    return CType(s.kind, s.size, None, depth, spelling=spelling)


_I64 = _int(8, "int64_t")


def _param(t: abi.AbiType) -> tuple[CType, ...]:
    if t.spelling == "text":
        return (_int(1, "const char *", 1),)
    if not t.is_array:
        return (_scalar(abi.SCALARS[t.spelling]),)
    if t.element == "text":
        return (_int(1, "const char *const *", 2), _I64)
    return (_scalar(abi.SCALARS[t.element], 1, t.c_params[0]), _I64)


_LOWERED_PARAMS: dict[str, tuple[CType, ...]] = {t: _param(a) for t, a in abi.TYPES.items()}


def _align(t: CType) -> int:
    if t.pointer_depth:
        return 8
    if t.kind == "struct":
        return max(_align(f) for f in t.fields)
    return max(t.size, 1)


def _struct(c_name: str, fields: tuple[CType, ...]) -> CType:
    """A struct by C's layout rules (each field at a multiple of its alignment, 8-byte pointers)."""
    size = 0
    for f in fields:
        a = _align(f)
        size = (size + a - 1) // a * a + (8 if f.pointer_depth else f.size)
    a = max(_align(f) for f in fields)
    return CType("struct", (size + a - 1) // a * a, None, 0, fields, spelling=c_name)


def _item(item: abi.Item) -> CType:
    base = item.base
    if base.is_array:  # {const T *data; int64_t len;}, also for [T]? (len -1 is nil)
        return _struct(base.c_result, (_LOWERED_PARAMS[base.spelling][0], _I64))
    if base.spelling == "text" or not item.optional:
        return _LOWERED_PARAMS[base.spelling][0]
    bool_ = CType("bool", 1, None, 0, spelling="bool")
    return _struct(item.c_result, (_scalar(abi.SCALARS[base.spelling]), bool_))


def lower_result(spelling: str) -> CType:
    """The C result type of a result spelling (``"[u8]"``, ``"i64?"``, ``"(text, i64)"``, ``"[(text, text)]"``).

    An array of tuples is its slice struct ``{const sffi_tuple_<...> *data;
    int64_t len;}``; behind the data pointer the tuple struct is compared by
    size only, as DWARF reading leaves fields behind a pointer out
    (sffi.dwarf.typereduce).
    """
    result = abi.parse(spelling)
    if result.is_tuple_array:
        element = _struct(result.tuple_struct, tuple(_item(i) for i in result.items))
        data = dataclasses.replace(element, pointer_depth=1, fields=(), spelling=f"const {result.tuple_struct} *")
        return _struct(result.c_result, (data, _I64))
    if result.is_tuple:
        return _struct(result.c_result, tuple(_item(i) for i in result.items))
    return _item(result.items[0])


def lower(decl) -> Prototype:
    """The C prototype a declaration lowers to, per the ABI table (sffi.abi, docs/abi.md).

    Args:
        decl: a sffi.decls.Declaration.
    Returns:
        Prototype: an int scalar -> an int of its size and signedness,
        ``f32``/``f64`` -> 4/8-byte float, ``bool`` -> 1-byte bool, ``text``
        -> pointer to a 1-byte int, an array parameter -> a pointer to the
        element and an ``int64_t`` length, an array result -> the 16-byte
        slice struct ``{const T *data; int64_t len;}``, a scalar ``T?`` ->
        ``{T value; bool present;}``, a tuple -> the struct of its elements
        laid out by C's rules, an array of tuples -> the slice struct of a
        pointer to that struct and an ``int64_t`` length, no result -> void. ``location`` is the
        declaration's ``file:line:col``; ``decl`` is ``decl``.
    """
    params = tuple(c for p in decl.params for c in _LOWERED_PARAMS[p.type])
    result = lower_result(decl.result) if decl.result else VOID
    return Prototype(decl.name, result, params, decl.location, decl)
