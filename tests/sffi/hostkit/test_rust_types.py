"""sffi.hostkit.rust_types: the Rust type rules of the host kit, read from each ABI type's C forms."""

from __future__ import annotations

import dataclasses

import pytest

from sffi import abi
from sffi.abi import AbiType
from sffi.hostkit.rust_types import classify, variant_name


def abi_type(spelling, code, c_params, c_result, field) -> AbiType:
    """A hypothetical ABI type; fields other than the C forms are copied from i64's."""
    return dataclasses.replace(abi.TYPES["i64"], spelling=spelling, code=code, enum="SFFI_X",
                               c_params=c_params, c_result=c_result, field=field)


@pytest.mark.parametrize("t, expected", [
    (abi_type("u8", 90, ("uint8_t",), "uint8_t", "u8"), ("U8", "scalar", "u8", None)),
    (abi_type("f32", 91, ("float",), "float", "f32"), ("F32", "scalar", "f32", None)),
    (abi_type("[u8]", 92, ("const uint8_t *", "int64_t"), "sffi_u8_slice", "u8s"),
     ("U8Array", "array", "u8", "sffi_u8_slice")),
    (abi_type("[bool]", 93, ("const bool *", "int64_t"), "sffi_bool_slice", "bools"),
     ("BoolArray", "array", "bool", "sffi_bool_slice")),
    (abi_type("(text, i64)", 94, (), "sffi_tuple_1", "tuple1"), ("TextI64Tuple", "unsupported", None, None)),
])
def test_new_abi_types_are_classified_from_their_c_forms(t, expected):
    r = classify(t)
    assert (r.variant, r.kind, r.scalar, r.slice) == expected


def test_variant_names():
    assert variant_name("[text]") == "TextArray"
    assert variant_name("text?") == "TextOpt"
