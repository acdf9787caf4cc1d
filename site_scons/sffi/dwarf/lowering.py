"""Lowering: the C prototype a ``.spl`` declaration stands for, per the ABI table.

:func:`lower` writes a declaration (sffi.decls.Declaration) in the reduced
type model (:mod:`sffi.dwarf.model`) by the table of sffi.abi and docs/abi.md,
so that :mod:`sffi.dwarf.comparison` can set it against a prototype read from
DWARF. :func:`lower` assumes 8-byte pointers (slice structs of 16 bytes): the
ABI targets 64-bit ELF platforms.
"""

from __future__ import annotations

from sffi import abi
from sffi.dwarf.model import VOID, CType, Prototype


def _int(size: int, spelling: str, depth: int = 0) -> CType:
    return CType("int", size, True, depth, spelling=spelling)


_DOUBLE_PTR = CType("float", 8, None, 1, spelling="const double *")
_LOWERED_PARAMS: dict[str, tuple[CType, ...]] = {
    "i64": (_int(8, "int64_t"),),
    "i32": (_int(4, "int32_t"),),
    "f64": (CType("float", 8, None, 0, spelling="double"),),
    "bool": (CType("bool", 1, None, 0, spelling="bool"),),
    "text": (_int(1, "const char *", 1),),
    "[i64]": (_int(8, "const int64_t *", 1), _int(8, "int64_t")),
    "[f64]": (_DOUBLE_PTR, _int(8, "int64_t")),
    "[text]": (_int(1, "const char *const *", 2), _int(8, "int64_t")),
}


def _slice(c_name: str, data: CType) -> CType:
    # {const T *data; int64_t len;} with 8-byte pointers: 16 bytes, no padding.
    return CType("struct", 16, None, 0, (data, _int(8, "int64_t")), spelling=c_name)


_LOWERED_RESULTS: dict[str, CType] = {
    **{t: params[0] for t, params in _LOWERED_PARAMS.items() if len(params) == 1},
    "[i64]": _slice("sffi_i64_slice", _LOWERED_PARAMS["[i64]"][0]),
    "[f64]": _slice("sffi_f64_slice", _DOUBLE_PTR),
    "[text]": _slice("sffi_text_slice", _LOWERED_PARAMS["[text]"][0]),
}
assert set(_LOWERED_PARAMS) == set(abi.TYPES) and all(
    len(_LOWERED_PARAMS[t]) == len(a.c_params) for t, a in abi.TYPES.items())


def lower(decl) -> Prototype:
    """The C prototype a declaration lowers to, per the ABI table (sffi.abi, docs/abi.md).

    Args:
        decl: a sffi.decls.Declaration.
    Returns:
        Prototype: ``i64``/``i32`` -> signed 8/4-byte int, ``f64`` -> 8-byte
        float, ``bool`` -> 1-byte bool, ``text`` -> pointer to a 1-byte int, an
        array parameter -> a pointer to the element and an ``int64_t`` length,
        an array result -> the 16-byte slice struct ``{const T *data; int64_t
        len;}``, no result -> void. ``location`` is the declaration's
        ``file:line:col``; ``decl`` is ``decl``.
    """
    params = tuple(c for p in decl.params for c in _LOWERED_PARAMS[p.type])
    result = _LOWERED_RESULTS[decl.result] if decl.result else VOID
    return Prototype(decl.name, result, params, decl.location, decl)
