"""The SFFI C ABI v1 type set (docs/abi.md, runtime/include/sffi_abi.h).

Each ``.spl`` type has a code (shared with ``sffi_type`` in
runtime/include/sffi_table.h), the C type of a parameter and of a result,
and the field of ``sffi_value`` that carries it.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class AbiType:
    """One type of the ABI: its ``.spl`` spelling and its C forms.

    ``c_params`` lists the C parameter types one argument expands to (two for
    arrays: data and length); ``c_result`` is the C return type; ``field`` is
    the member of ``union sffi_value`` that carries the value; ``code`` and
    ``enum`` are the ``sffi_type`` value and enumerator.
    """

    spelling: str
    code: int
    enum: str
    c_params: tuple[str, ...]
    c_result: str
    field: str


NONE = AbiType("none", 0, "SFFI_NONE", (), "void", "")

TYPES: dict[str, AbiType] = {t.spelling: t for t in (
    AbiType("i64", 1, "SFFI_I64", ("int64_t",), "int64_t", "i64"),
    AbiType("i32", 2, "SFFI_I32", ("int32_t",), "int32_t", "i32"),
    AbiType("f64", 3, "SFFI_F64", ("double",), "double", "f64"),
    AbiType("bool", 4, "SFFI_BOOL", ("bool",), "bool", "b"),
    AbiType("text", 5, "SFFI_TEXT", ("const char *",), "const char *", "text"),
    AbiType("[i64]", 6, "SFFI_I64_ARRAY", ("const int64_t *", "int64_t"), "sffi_i64_slice", "i64s"),
    AbiType("[f64]", 7, "SFFI_F64_ARRAY", ("const double *", "int64_t"), "sffi_f64_slice", "f64s"),
    AbiType("[text]", 8, "SFFI_TEXT_ARRAY", ("const char *const *", "int64_t"), "sffi_text_slice", "texts"),
)}

MAX_PARAMS = 16  # SFFI_MAX_PARAMS in sffi_table.h
ABI_VERSION = 1  # SFFI_ABI_VERSION in sffi_abi.h


def signature_string(params: list[str] | tuple[str, ...], result: str | None) -> str:
    """The canonical signature: ``"(i64, text) -> bool"``; ``"(i64)"`` for no result.

    Args:
        params: the parameter type spellings, in order.
        result: the result type spelling, or None for no result.
    """
    text = "(" + ", ".join(params) + ")"
    return f"{text} -> {result}" if result else text
