"""The SFFI C ABI v2 type set: the one source of truth (docs/abi.md).

Everything else derives from this module: the declaration parser's type list
(sffi.decls), the generated thunks, prototype headers and Rust checks
(sffi.table), the DWARF lowering (sffi.dwarf.lowering). The C side is held to
it by tests/sffi/test_abi.py: the ``sffi_type`` enum and the
``sffi_value`` union in runtime/include/sffi_table.h, the slice and optional
structs in runtime/include/sffi_abi.h and the runtime's type-name table
(runtime/src/abi.c) and the switches of runtime/src/marshal.c.

Types come in three layers:

* **base types** (:data:`TYPES`): the scalars ``i8 i16 i32 i64 u8 u16 u32 u64
  f32 f64 bool``, ``text``, and arrays ``[T]`` of every scalar and of text;
  each has a code (``sffi_type``), C and Rust spellings, and the
  ``sffi_value`` field that carries it. They may be parameters and results.
* **optional results** ``T?`` of any base type (:func:`parse`): the code is
  the base code with :data:`OPTIONAL` set. ``text?`` is ``const char *``
  (``NULL`` is nil), ``[T]?`` the slice with ``len == -1`` for nil,
  a scalar ``T?`` the struct ``sffi_opt_<t> {T value; bool present;}``.
* **tuple results** ``(T1, ..., Tn)``, 1 <= n <= :data:`MAX_TUPLE`, of base or
  optional types: a generated struct ``sffi_tuple_<mangled>`` with fields
  ``f0 .. f<n-1>`` returned by value (:func:`tuple_struct_name`).
* **arrays of tuples** ``[(T1, ..., Tn)]`` and ``[(T1, ..., Tn)]?`` (results
  only; Simple's ``rt_env_vars() -> [(text, text)]``): the slice
  ``sffi_tuple_<mangled>_slice {const sffi_tuple_<mangled> *data; int64_t len;}``
  of the tuple's struct, ``len == -1`` for nil; code :data:`TUPLE_ARRAY_CODE`.

Spellings are canonical strings (``"[u8]"``, ``"text?"``, ``"(text, i64)"``):
declarations, signatures and JSON carry them as such.
"""

from __future__ import annotations

import dataclasses

ABI_VERSION = 2  # SFFI_ABI_VERSION in sffi_abi.h
MAX_PARAMS = 16  # SFFI_MAX_PARAMS in sffi_table.h
MAX_TUPLE = 8    # SFFI_MAX_TUPLE in sffi_table.h
OPTIONAL = 0x40  # SFFI_OPTIONAL: flag on a base code for ``T?``
TUPLE_CODE = 32  # SFFI_TUPLE: the result code of a tuple; its items are listed apart
TUPLE_ARRAY_CODE = 33  # SFFI_TUPLE_ARRAY: an array of tuples; the tuple's items are listed apart
TUPLE_ARRAY_FIELD = "tuples"  # the sffi_value member (an sffi_tuple_slice) a thunk stores it in
TUPLE_SLICE_C = "sffi_tuple_slice"  # its C type: {const void *data; int64_t len;} (sffi_abi.h)


@dataclasses.dataclass(frozen=True)
class Scalar:
    """A scalar element type: ``kind`` is ``'int'``, ``'float'`` or ``'bool'``;
    ``size`` in bytes; ``signed`` for ints; ``c`` and ``rust`` spellings;
    ``lo``/``hi`` the inclusive value range for ints (None otherwise)."""

    spelling: str
    kind: str
    size: int
    signed: bool
    c: str
    rust: str

    @property
    def lo(self) -> int | None:
        if self.kind != "int":
            return None
        return -(1 << (8 * self.size - 1)) if self.signed else 0

    @property
    def hi(self) -> int | None:
        if self.kind != "int":
            return None
        return (1 << (8 * self.size - 1)) - 1 if self.signed else (1 << (8 * self.size)) - 1


SCALARS: dict[str, Scalar] = {s.spelling: s for s in (
    Scalar("i8", "int", 1, True, "int8_t", "i8"),
    Scalar("i16", "int", 2, True, "int16_t", "i16"),
    Scalar("i32", "int", 4, True, "int32_t", "i32"),
    Scalar("i64", "int", 8, True, "int64_t", "i64"),
    Scalar("u8", "int", 1, False, "uint8_t", "u8"),
    Scalar("u16", "int", 2, False, "uint16_t", "u16"),
    Scalar("u32", "int", 4, False, "uint32_t", "u32"),
    Scalar("u64", "int", 8, False, "uint64_t", "u64"),
    Scalar("f32", "float", 4, True, "float", "f32"),
    Scalar("f64", "float", 8, True, "double", "f64"),
    Scalar("bool", "bool", 1, False, "bool", "bool"),
)}
_RUST_CHAR = "*const ::core::ffi::c_char"


@dataclasses.dataclass(frozen=True)
class AbiType:
    """One base type of the ABI: its ``.spl`` spelling and its C and Rust forms.

    ``c_params`` / ``rust_params`` list the types one argument expands to (two
    for arrays: data and length); ``c_result`` / ``rust_result`` the result
    type (for arrays the slice struct); ``field`` the member of ``union
    sffi_value`` that carries it; ``code`` and ``enum`` the ``sffi_type``
    value and enumerator; ``element`` the element's spelling for an array
    (``"u8"``, ``"text"``), else None.
    """

    spelling: str
    code: int
    enum: str
    c_params: tuple[str, ...]
    c_result: str
    field: str
    rust_params: tuple[str, ...]
    rust_result: str
    element: str | None = None

    @property
    def is_array(self) -> bool:
        return self.element is not None


def _scalar_type(s: Scalar, code: int) -> AbiType:
    field = "b" if s.spelling == "bool" else s.spelling
    return AbiType(s.spelling, code, f"SFFI_{s.spelling.upper()}", (s.c,), s.c, field, (s.rust,), s.rust)


def _array_type(elem: str, code: int) -> AbiType:
    c_data = "const char *const *" if elem == "text" else f"const {SCALARS[elem].c} *"
    rust_elem = _RUST_CHAR if elem == "text" else SCALARS[elem].rust
    name = f"sffi_{elem}_slice"
    field = "texts" if elem == "text" else "bools" if elem == "bool" else f"{elem}s"
    return AbiType(f"[{elem}]", code, f"SFFI_{elem.upper()}_ARRAY", (c_data, "int64_t"), name, field,
                   (f"*const {rust_elem}", "i64"), name, elem)


# v1's codes 1-8 are kept; the v2 types follow.
_CODES = {"i64": 1, "i32": 2, "f64": 3, "bool": 4, "text": 5, "[i64]": 6, "[f64]": 7, "[text]": 8,
          "i8": 9, "i16": 10, "u8": 11, "u16": 12, "u32": 13, "u64": 14, "f32": 15,
          "[i8]": 16, "[i16]": 17, "[i32]": 18, "[u8]": 19, "[u16]": 20, "[u32]": 21, "[u64]": 22,
          "[f32]": 23, "[bool]": 24}


def _all_types() -> dict[str, AbiType]:
    out = {s: _scalar_type(SCALARS[s], _CODES[s]) for s in SCALARS}
    out["text"] = AbiType("text", 5, "SFFI_TEXT", ("const char *",), "const char *", "text",
                          (_RUST_CHAR,), _RUST_CHAR)
    for elem in (*SCALARS, "text"):
        out[f"[{elem}]"] = _array_type(elem, _CODES[f"[{elem}]"])
    return dict(sorted(out.items(), key=lambda kv: kv[1].code))


TYPES: dict[str, AbiType] = _all_types()
BY_CODE: dict[int, AbiType] = {t.code: t for t in TYPES.values()}
NONE_CODE = 0  # SFFI_NONE


# ---- composite result types ----

@dataclasses.dataclass(frozen=True)
class Item:
    """A base type, optional or not: one parameter, result or tuple element."""

    base: AbiType
    optional: bool = False

    @property
    def spelling(self) -> str:
        return self.base.spelling + ("?" if self.optional else "")

    @property
    def code(self) -> int:
        return self.base.code | (OPTIONAL if self.optional else 0)

    @property
    def enum(self) -> str:
        return f"{self.base.enum} | SFFI_OPTIONAL" if self.optional else self.base.enum

    @property
    def c_result(self) -> str:
        if self.optional and not self.base.is_array and self.base.spelling != "text":
            return f"sffi_opt_{self.base.spelling}"
        return self.base.c_result

    @property
    def rust_result(self) -> str:
        return self.c_result if self.c_result.startswith("sffi_") else self.base.rust_result

    @property
    def field(self) -> str:
        """The ``sffi_value`` member carrying it as a result."""
        if self.c_result.startswith("sffi_opt_"):
            return "opt_" + self.base.field
        return self.base.field

    @property
    def mangled(self) -> str:
        """Its part of a tuple struct's name: ``u8s`` for ``[u8]``, ``opt_text`` for ``text?``."""
        core = self.base.field if self.base.is_array else self.base.spelling
        return ("opt_" if self.optional else "") + core


@dataclasses.dataclass(frozen=True)
class Result:
    """A parsed result type: one :class:`Item`, a tuple of items, or an array of tuples.

    ``is_tuple``: a tuple ``(T1, ..., Tn)`` returned by value;
    ``is_tuple_array``: an array of such tuples ``[(T1, ..., Tn)]``, nil when
    ``optional`` (``[(T1, ..., Tn)]?``). ``items`` are the tuple's elements in
    both cases, else the one item.
    """

    items: tuple[Item, ...]
    is_tuple: bool
    is_tuple_array: bool = False
    optional: bool = False

    @property
    def has_items(self) -> bool:
        """True when ``items`` are tuple elements (the table lists them apart: ``n_items``, ``items``)."""
        return self.is_tuple or self.is_tuple_array

    @property
    def tuple_spelling(self) -> str:
        """``(text, i64)``: the tuple of a tuple or an array of tuples."""
        return "(" + ", ".join(i.spelling for i in self.items) + ")"

    @property
    def spelling(self) -> str:
        if self.is_tuple_array:
            return f"[{self.tuple_spelling}]" + ("?" if self.optional else "")
        if self.is_tuple:
            return self.tuple_spelling
        return self.items[0].spelling

    @property
    def code(self) -> int:
        if self.is_tuple_array:
            return TUPLE_ARRAY_CODE | (OPTIONAL if self.optional else 0)
        return TUPLE_CODE if self.is_tuple else self.items[0].code

    @property
    def enum(self) -> str:
        if self.is_tuple_array:
            return "SFFI_TUPLE_ARRAY" + (" | SFFI_OPTIONAL" if self.optional else "")
        return "SFFI_TUPLE" if self.is_tuple else self.items[0].enum

    @property
    def tuple_struct(self) -> str:
        """``sffi_tuple_text_i64``: the struct of the tuple (or of each array element)."""
        return tuple_struct_name(self.items)

    @property
    def c_result(self) -> str:
        if self.is_tuple_array:
            return self.tuple_struct + "_slice"
        return self.tuple_struct if self.is_tuple else self.items[0].c_result


def tuple_struct_name(items) -> str:
    """``sffi_tuple_text_text_i64`` for ``(text, text, i64)``: one name per tuple shape."""
    return "sffi_tuple_" + "_".join(i.mangled for i in items)


class TypeError_(ValueError):
    """A type spelling that is not part of the ABI; ``str()`` says why."""


def item(spelling: str) -> Item:
    """The :class:`Item` for ``"u8"``, ``"[text]"``, ``"text?"``; raises TypeError_."""
    optional = spelling.endswith("?")
    base = TYPES.get(spelling[:-1] if optional else spelling)
    if base is None:
        raise TypeError_(f"unknown type '{spelling}'")
    return Item(base, optional)


def _tuple_items(spelling: str) -> tuple[Item, ...]:
    parts = [p.strip() for p in spelling[1:-1].split(",")]
    if not 1 <= len(parts) <= MAX_TUPLE:
        raise TypeError_(f"a tuple has 1 to {MAX_TUPLE} elements, not {len(parts)}")
    return tuple(item(p) for p in parts)


def parse(spelling: str) -> Result:
    """The :class:`Result` of a canonical result spelling (``"(text, [u8]?)"``,
    ``"[(text, text)]"``); raises TypeError_."""
    if spelling.startswith("[("):
        optional = spelling.endswith("?")
        inner = spelling[1:-2] if optional else spelling[1:-1]
        if not (inner.startswith("(") and inner.endswith(")")):
            raise TypeError_(f"unknown type '{spelling}'")
        return Result(_tuple_items(inner), False, True, optional)
    if spelling.startswith("("):
        return Result(_tuple_items(spelling), True)
    return Result((item(spelling),), False)


def _optional_flags(result: Result) -> tuple[bool, ...]:
    """Where a result may be nil: the whole (an array of tuples), then each item."""
    return (result.optional,) + tuple(i.optional for i in result.items)


def optionality_binding(declared: str | None, entry: str | None) -> str | None:
    """How a declared result binds to a table entry's result (docs/abi.md, "Optionality").

    Args:
        declared, entry: result spellings (None for no result).
    Returns:
        ``"exact"`` when equal; ``"widened"`` when they differ only where the
        declaration is optional (``T?`` declared, ``T`` in the table: always
        safe); ``"checked"`` when the declaration is not optional somewhere the
        entry is (``T`` declared, ``T?`` in the table: a nil result is then an
        error at run time); None when they differ in anything but optionality.
    Rule from Simple's interpreter, whose std modules declare some externs both
    ways (``rt_env_cwd() -> text`` and ``-> text?``).
    """
    if declared == entry:
        return "exact"
    if declared is None or entry is None or declared.replace("?", "") != entry.replace("?", ""):
        return None
    pairs = zip(_optional_flags(parse(declared)), _optional_flags(parse(entry)))
    return "checked" if any(e and not d for d, e in pairs) else "widened"


def signature_string(params: list[str] | tuple[str, ...], result: str | None) -> str:
    """The canonical signature: ``"(i64, text) -> bool"``; ``"(i64)"`` for no result.

    Args:
        params: the parameter type spellings, in order.
        result: the result type spelling (``"(text, i64)"`` for a tuple), or None.
    """
    text = "(" + ", ".join(params) + ")"
    return f"{text} -> {result}" if result else text


def _guarded(name: str, body: str) -> str:
    guard = name.upper() + "_DEFINED"
    return f"#ifndef {guard}\n#define {guard}\ntypedef struct {name} {{{body}}} {name};\n#endif\n"


def c_struct_definition(result: Result) -> str:
    """The C definition of the struct of a tuple result (or of an array of
    tuples' elements), guarded so that two headers may both define it."""
    fields = "".join(f"    {i.c_result}{'' if i.c_result.endswith('*') else ' '}f{n};\n"
                     for n, i in enumerate(result.items))
    return _guarded(result.tuple_struct, f"\n{fields}")


def c_slice_definition(result: Result) -> str:
    """The C definition of an array of tuples' slice struct (after its tuple's struct), guarded."""
    return _guarded(result.c_result, f" const {result.tuple_struct} *data; int64_t len; ")
