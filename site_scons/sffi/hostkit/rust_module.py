"""The host kit's Rust module ``sffi_table.rs`` (docs/hostkit.md), generated from ``sffi.abi``.

The module has three layers:

* ``#[repr(C)]`` mirrors of the C types of sffi_abi.h, sffi_table.h and
  sffi_host.h (slices, ``sffi_value``, ``sffi_entry``, the catalog entry);
* ``extern "C"`` declarations of the generated table, the catalog, the
  selected libraries and the kit's host functions (sffi_host.c);
* a safe API: ``lookup(name)`` (an unknown name says which library provides
  it, from the catalog), ``bind(name, declared)`` (refuses a declaration
  whose signature differs from the table's, showing both), and
  ``Extern::call(&[Arg])`` returning an owned ``Ret`` or an ``Error`` that
  names the extern and the library's message.

Every per-type item (slice structs, union fields, ``Type``, ``Arg``, ``Ret``
and the conversions) is generated from ``sffi.abi.TYPES`` through the rules
of :mod:`sffi.hostkit.rust_types`, so new ABI types need no edit here. The
file has no inner attributes, so hosts may ``include!`` it into a module.
"""

from __future__ import annotations

from pathlib import Path

from sffi import abi
from sffi.hostkit.rust_types import RustType, classify

_STATIC = Path(__file__).with_name("rust")
NONE_CODE = 0  # SFFI_NONE, "no result", in every ABI version  # the hand-written, type-independent parts


def rust_types() -> list[RustType]:
    """The Rust mirror of every ABI type, in type-code order."""
    return [classify(t) for t in sorted(abi.TYPES.values(), key=lambda t: t.code)]


def _slices(types: list[RustType]) -> str:
    out = []
    for t in types:
        if t.kind == "array":
            elem = "*const c_char" if t.text_elements else t.scalar
            out.append(f"/// `{t.slice}`: a `{t.abi.spelling}` result (owned by the library).\n"
                       "#[repr(C)]\n#[derive(Clone, Copy, Debug)]\n#[allow(non_camel_case_types)]\n"
                       f"pub struct {t.slice} {{\n    pub data: *const {elem},\n    pub len: i64,\n}}\n\n")
    return "".join(out)


def _c_field_type(t: RustType) -> str:
    return {"scalar": t.scalar, "text": "*const c_char"}.get(t.kind, t.slice)


def _optionals(types: list[RustType]) -> str:
    """``sffi_opt_<t> {T value; bool present;}`` of each scalar (an optional scalar result)."""
    return "".join(f"/// `sffi_opt_{t.abi.spelling}`: a `{t.abi.spelling}?` result.\n#[repr(C)]\n"
                   "#[derive(Clone, Copy, Debug)]\n#[allow(non_camel_case_types)]\n"
                   f"pub struct sffi_opt_{t.abi.spelling} {{\n    pub value: {t.scalar},\n    pub present: bool,\n}}\n\n"
                   for t in types if t.kind == "scalar")


def _tuple_slice() -> str:
    """``sffi_tuple_slice``: an array of tuples as the table carries it (sffi_abi.h)."""
    return (f"/// `{abi.TUPLE_SLICE_C}`: an array-of-tuples result `[(T1, ..., Tn)]`, its elements the\n"
            "/// tuple's C struct, laid out from the entry's item codes (owned by the library).\n"
            "#[repr(C)]\n#[derive(Clone, Copy, Debug)]\n#[allow(non_camel_case_types)]\n"
            f"pub struct {abi.TUPLE_SLICE_C} {{\n    pub data: *const u8,\n    pub len: i64,\n}}\n\n")


def _union(types: list[RustType]) -> str:
    fields = "".join(f"    pub {t.abi.field}: {_c_field_type(t)},\n" for t in types if t.kind != "unsupported")
    fields += "".join(f"    pub opt_{t.abi.field}: sffi_opt_{t.abi.spelling},\n" for t in types if t.kind == "scalar")
    fields += f"    pub {abi.TUPLE_ARRAY_FIELD}: {abi.TUPLE_SLICE_C},\n"
    return ("/// `union sffi_value`: one argument or result.\n#[repr(C)]\n#[derive(Clone, Copy)]\n"
            f"#[allow(non_camel_case_types)]\npub union sffi_value {{\n{fields}}}\n\n")


def _codes(types: list[RustType]) -> str:
    consts = "".join(f"    pub const {t.abi.enum[len('SFFI_'):]}: u8 = {t.abi.code};\n" for t in types)
    return ("/// Type codes (`sffi_type` in sffi_table.h).\n#[allow(dead_code)]\npub mod code {\n"
            f"    pub const NONE: u8 = {NONE_CODE};\n{consts}}}\n\n")


def _entry() -> str:
    """``sffi_entry``, a tuple result's element codes (``n_items``, ``items``) included."""
    items = f"    pub n_items: u8,\n    pub items: [u8; {abi.MAX_TUPLE}],\n"
    return ("/// `sffi_entry`: one extern of the table (sffi_table.h).\n#[repr(C)]\n#[allow(non_camel_case_types)]\n"
            "pub struct sffi_entry {\n    pub name: *const c_char,\n    pub library: *const c_char,\n"
            "    pub signature: *const c_char,\n    pub thunk: sffi_thunk,\n    pub n_params: u8,\n"
            f"    pub result: u8,\n    pub params: [u8; MAX_PARAMS],\n{items}}}\n\n"
            "/// How many `sffi_value`s a result may fill (one per tuple element).\n"
            f"const RESULT_SLOTS: usize = {abi.MAX_TUPLE};\n\n")


def _type_enum(types: list[RustType]) -> str:
    variants = "".join(f"    {t.variant},\n" for t in types)
    from_code = "".join(f"            {t.abi.code} => Some(Type::{t.variant}),\n" for t in types)
    spelling = "".join(f"            Type::{t.variant} => \"{t.abi.spelling}\",\n" for t in types)
    unsupported = [f"Type::{t.variant}" for t in types if t.kind == "unsupported"]
    supported = f"!matches!(self, {' | '.join(unsupported)})" if unsupported else "true"
    return ("/// A type of the ABI, as the table's type codes name it.\n"
            "#[derive(Clone, Copy, Debug, PartialEq, Eq)]\npub enum Type {\n" + variants + "}\n\n"
            "impl Type {\n"
            "    /// The type of a `sffi_type` code; `None` for a code this module does not know.\n"
            "    pub fn from_code(code: u8) -> Option<Type> {\n        match code {\n" + from_code +
            "            _ => None,\n        }\n    }\n\n"
            "    /// The `.spl` spelling, as in signatures: `i64`, `[text]`.\n"
            "    pub fn spelling(self) -> &'static str {\n        match self {\n" + spelling + "        }\n    }\n\n"
            "    /// False for a type this module has no Rust mirror for (calls using it are refused).\n"
            f"    pub fn supported(self) -> bool {{\n        {supported}\n    }}\n}}\n\n")


def _arg_payload(t: RustType) -> str:
    if t.kind == "scalar":
        return t.scalar
    if t.kind == "text":
        return "&'a str"
    return "&'a [&'a str]" if t.text_elements else f"&'a [{t.scalar}]"


def _ret_payload(t: RustType) -> str:
    if t.kind == "scalar":
        return t.scalar
    if t.kind == "text":
        return "Option<String>"
    return "Vec<String>" if t.text_elements else f"Vec<{t.scalar}>"


def _arg_enum(types: list[RustType]) -> str:
    usable = [t for t in types if t.kind != "unsupported"]
    variants = "".join(f"    {t.variant}({_arg_payload(t)}),\n" for t in usable)
    ty = "".join(f"            Arg::{t.variant}(_) => Type::{t.variant},\n" for t in usable)
    return ("/// An argument, borrowed from the host's own value for the call.\n"
            "#[derive(Clone, Copy, Debug)]\npub enum Arg<'a> {\n" + variants + "}\n\n"
            "impl Arg<'_> {\n    /// The ABI type this argument carries.\n    pub fn ty(&self) -> Type {\n"
            "        match self {\n" + ty + "        }\n    }\n\n"
            + _arg_to_value(usable) + "}\n\n")


def _arg_to_value(types: list[RustType]) -> str:
    arms = []
    for t in types:
        f, v = t.abi.field, t.variant
        if t.kind == "scalar":
            arms.append(f"            Arg::{v}(x) => sffi_value {{ {f}: *x }},\n")
        elif t.kind == "text":
            arms.append(f"            Arg::{v}(s) => sffi_value {{ {f}: keep.text(s)? }},\n")
        elif t.text_elements:
            arms.append(f"            Arg::{v}(xs) => {{\n                let (data, len) = keep.texts(xs)?;\n"
                        f"                sffi_value {{ {f}: {t.slice} {{ data, len }} }}\n            }}\n")
        else:
            arms.append(f"            Arg::{v}(xs) => sffi_value {{ {f}: {t.slice} {{ data: slice_data(xs), "
                        "len: xs.len() as i64 } },\n")
    return ("    /// The `sffi_value` of this argument; text is copied into `keep`, which must outlive the call.\n"
            "    /// Fails on text holding a NUL byte (a C string cannot carry it).\n"
            "    fn to_value(&self, keep: &mut Keep) -> Result<sffi_value, NulInText> {\n"
            "        Ok(match self {\n" + "".join(arms) + "        })\n    }\n")


def _ret_enum(types: list[RustType]) -> str:
    usable = [t for t in types if t.kind != "unsupported"]
    variants = "".join(f"    {t.variant}({_ret_payload(t)}),\n" for t in usable)
    arms = []
    for t in usable:
        f, v = t.abi.field, t.variant
        if t.kind == "scalar":
            arms.append(f"            Some(Type::{v}) => Ret::{v}(v.{f}),\n")
        elif t.kind == "text":
            arms.append(f"            Some(Type::{v}) => Ret::{v}(owned_text(v.{f})),\n")
        elif t.text_elements:
            arms.append(f"            Some(Type::{v}) => Ret::{v}(owned_texts(v.{f}.data, v.{f}.len)?),\n")
        else:
            arms.append(f"            Some(Type::{v}) => Ret::{v}(owned_slice(v.{f}.data, v.{f}.len)),\n")
    # Only unsupported types reach a fallback arm; without them it would be unreachable.
    fallback = "            Some(other) => return Err(other.spelling()),\n" if len(usable) < len(types) else ""
    variants += ("    /// An optional result that is absent (`T?`).\n    Nil,\n"
                 "    /// A tuple result, one element each.\n    Tuple(Vec<Ret>),\n"
                 "    /// An array of tuples `[(T1, ..., Tn)]`: one `Vec` of elements per tuple.\n"
                 "    TupleArray(Vec<Vec<Ret>>),\n")
    return ("/// A result, copied out of the library at once (the library owns what it returned).\n"
            "#[derive(Clone, Debug, PartialEq)]\npub enum Ret {\n    /// The extern returns nothing.\n    None,\n"
            + variants + "}\n\n"
            "impl Ret {\n    /// Copies the result `v` of type `ty`; the caller checked `ty` is supported.\n"
            "    unsafe fn from_value(ty: Option<Type>, v: sffi_value) -> Result<Ret, &'static str> {\n"
            "        Ok(unsafe { match ty {\n            None => Ret::None,\n" + "".join(arms) + fallback +
            "        } })\n    }\n}\n\n")


def _item_layout(types: list[RustType]) -> str:
    """``item_layout``: (size, alignment) of a tuple element of type ``code`` in the tuple's C
    struct, from this module's ``#[repr(C)]`` mirrors (so Rust's layout rules are C's)."""
    arms = []
    for t in types:
        if t.kind == "scalar":
            arms.append(f"        Some(Type::{t.variant}) if optional => layout::<sffi_opt_{t.abi.spelling}>(),\n"
                        f"        Some(Type::{t.variant}) => layout::<{t.scalar}>(),\n")
        elif t.kind == "text":
            arms.append(f"        Some(Type::{t.variant}) => layout::<*const c_char>(),\n")
        elif t.kind == "array":
            arms.append(f"        Some(Type::{t.variant}) => layout::<{t.slice}>(),\n")
    fallback = "        _ => None,\n"
    return ("fn layout<T>() -> Option<(usize, usize)> {\n"
            "    Some((std::mem::size_of::<T>(), std::mem::align_of::<T>()))\n}\n\n"
            "/// (size, alignment) of a tuple element of type `code` (maybe | OPTIONAL_FLAG); None if unknown.\n"
            "fn item_layout(code: u8) -> Option<(usize, usize)> {\n"
            "    let optional = code & OPTIONAL_FLAG != 0;\n"
            "    match Type::from_code(code & !OPTIONAL_FLAG) {\n" + "".join(arms) + fallback + "    }\n}\n\n")


_TUPLE_ARRAY_READER = """/// An array of tuples: each element is the tuple's C struct (fields at multiples of their
/// alignment, C's rule), each field copied into an `sffi_value` and read as a tuple element.
unsafe fn read_tuple_array(e: &sffi_entry, v: &sffi_value) -> Result<Ret, &'static str> {
    let s = unsafe { v.tuples };
    if e.result & OPTIONAL_FLAG != 0 && s.len == -1 {
        return Ok(Ret::Nil);
    }
    let codes = &e.items[..(e.n_items as usize).min(RESULT_SLOTS)];
    let (mut offsets, mut at, mut align) = (Vec::with_capacity(codes.len()), 0usize, 1usize);
    for &c in codes {
        let (size, a) = item_layout(c).ok_or("[(...)] (an element type this module does not know)")?;
        at = at.div_ceil(a) * a;
        offsets.push((at, size));
        at += size;
        align = align.max(a);
    }
    let stride = at.div_ceil(align) * align;
    if s.data.is_null() || s.len <= 0 {
        return Ok(Ret::TupleArray(Vec::new()));
    }
    let mut rows = Vec::with_capacity(s.len as usize);
    for k in 0..s.len as usize {
        let mut row = Vec::with_capacity(codes.len());
        for (&c, &(off, size)) in codes.iter().zip(&offsets) {
            let mut field = unsafe { std::mem::zeroed::<sffi_value>() };
            // A field's bytes into an sffi_value: each field is a member of the union.
            unsafe { std::ptr::copy_nonoverlapping(s.data.add(k * stride + off), (&mut field as *mut sffi_value).cast::<u8>(), size) };
            row.push(unsafe { read_value(c, &field) }?);
        }
        rows.push(row);
    }
    Ok(Ret::TupleArray(rows))
}

"""


def _result_reader(types: list[RustType]) -> str:
    """``read_result`` and ``known_result``: one result value, an optional, a tuple or an array
    of tuples (docs/abi.md)."""
    arms = []
    for t in types:
        f = t.abi.field
        if t.kind == "scalar":
            arms.append(f"            Some(Type::{t.variant}) => {{\n                let o = unsafe {{ v.opt_{f} }};\n"
                        f"                return Ok(if o.present {{ Ret::{t.variant}(o.value) }} else {{ Ret::Nil }});\n"
                        "            }\n")
        elif t.kind == "array":
            arms.append(f"            Some(Type::{t.variant}) if unsafe {{ v.{f}.len }} == -1 => return Ok(Ret::Nil),\n")
    return (f"const OPTIONAL_FLAG: u8 = {abi.OPTIONAL};\nconst TUPLE: u8 = {abi.TUPLE_CODE};\n"
            f"const TUPLE_ARRAY: u8 = {abi.TUPLE_ARRAY_CODE};\n\n"
            "/// One result value of type `code` (maybe | OPTIONAL_FLAG): absent optionals are `Ret::Nil`\n"
            "/// (a scalar's `present` false, an array's `len == -1`; `text?` is NULL, `Text(None)`).\n"
            "unsafe fn read_value(code: u8, v: &sffi_value) -> Result<Ret, &'static str> {\n"
            "    let ty = Type::from_code(code & !OPTIONAL_FLAG);\n"
            "    if code & OPTIONAL_FLAG != 0 {\n        match ty {\n" + "".join(arms) +
            "            _ => {}\n        }\n    }\n    unsafe { Ret::from_value(ty, *v) }\n}\n\n"
            + _item_layout(types) + _TUPLE_ARRAY_READER +
            "unsafe fn read_result(e: &sffi_entry, r: &[sffi_value]) -> Result<Ret, &'static str> {\n"
            "    if e.result & !OPTIONAL_FLAG == TUPLE_ARRAY {\n        return unsafe { read_tuple_array(e, &r[0]) };\n    }\n"
            "    if e.result != TUPLE {\n        return unsafe { read_value(e.result, &r[0]) };\n    }\n"
            "    let n = (e.n_items as usize).min(RESULT_SLOTS);\n"
            "    let items = e.items[..n].iter().zip(r).map(|(&c, v)| unsafe { read_value(c, v) });\n"
            "    Ok(Ret::Tuple(items.collect::<Result<Vec<_>, _>>()?))\n}\n\n"
            "fn known_result(e: &sffi_entry) -> bool {\n    let known = |c: u8| Type::from_code(c & !OPTIONAL_FLAG).is_some();\n"
            "    let items = || e.n_items as usize <= RESULT_SLOTS && e.items[..e.n_items as usize].iter().all(|&c| known(c));\n"
            "    match e.result {\n        code::NONE => true,\n"
            "        TUPLE => items(),\n"
            "        c if c & !OPTIONAL_FLAG == TUPLE_ARRAY => items(),\n"
            "        c => known(c),\n    }\n}\n\n")


def generate() -> str:
    """The text of ``sffi_table.rs`` for this ABI (it does not depend on the selection).

    Returns:
        Rust 2021 source with no inner attributes and no third-party crates.
    """
    types = rust_types()
    head = (f"// sffi_table.rs - generated by sffi (hostkit) from the SFFI ABI v{abi.ABI_VERSION} type list. "
            "Do not edit.\n// What it is and how to use it: docs/hostkit.md.\n\n"
            "use std::ffi::{c_char, CStr, CString};\nuse std::fmt;\n\n"
            f"/// `SFFI_ABI_VERSION` of the headers this module mirrors.\npub const ABI_VERSION: u32 = {abi.ABI_VERSION};\n"
            f"/// `SFFI_MAX_PARAMS`.\npub const MAX_PARAMS: usize = {abi.MAX_PARAMS};\n\n")
    parts = [head, _codes(types), _slices(types), _optionals(types), _tuple_slice(), _union(types), _entry(), (_STATIC / "ffi.rs").read_text(),
             _type_enum(types), _arg_enum(types), _ret_enum(types), _result_reader(types),
             (_STATIC / "safe.rs").read_text()]
    return "".join(parts)
