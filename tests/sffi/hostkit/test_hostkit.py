"""The host kit's generators without a build: Rust type rules, the Rust module, the link line."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

import pytest

import hashseed
from sffi import abi
from sffi.abi import AbiType
from sffi.hostkit import linkline, rust_module
from sffi.hostkit.rust_types import classify, variant_name


def test_every_abi_type_has_a_rust_mirror():
    kinds = {t.abi.spelling: (t.variant, t.kind, t.scalar) for t in rust_module.rust_types()}
    assert kinds["i64"] == ("I64", "scalar", "i64")
    assert kinds["bool"] == ("Bool", "scalar", "bool")
    assert kinds["text"] == ("Text", "text", None)
    assert kinds["[f64]"] == ("F64Array", "array", "f64")
    assert kinds["[text]"] == ("TextArray", "array", None)
    assert set(kinds) == set(abi.TYPES)
    assert all(kind != "unsupported" for _, kind, _ in kinds.values())


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


def test_module_mirrors_each_type_and_is_stable():
    text = rust_module.generate()
    # the same text in fresh interpreters with other string-hash seeds (tests/hashseed.py)
    assert not hashseed.differing("from sffi.hostkit import rust_module; print(rust_module.generate(), end='')")
    for t in abi.TYPES.values():
        assert f"pub const {t.enum[5:]}: u8 = {t.code};" in text
        assert f"pub {t.field}: " in text
    assert "#![" not in text  # no inner attributes: hosts include!() it


@pytest.mark.skipif(shutil.which("rustc") is None, reason="rustc is installed by scripts/bootstrap")
@pytest.mark.parametrize("edition", ["2021", "2024"])
def test_module_compiles_as_a_library(tmp_path, edition):
    """rustc type-checks the generated module alone (the table is only declared, never linked),
    warning-free in both editions a host may use."""
    src = tmp_path / "lib.rs"
    src.write_text(rust_module.generate())
    proc = subprocess.run(["rustc", f"--edition={edition}", "--crate-type=lib", "--emit=metadata", "-D", "warnings",
                           "-o", str(tmp_path / "lib.rmeta"), str(src)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_link_line_order_and_cargo_lines():
    line = linkline.LinkLine(("sqlite3", "m"), ("/opt/lib",), ("-Wl,--as-needed",), ("-lgcc_s", "-lc"), cxx=True,
                             rpath=("/opt/lib",))
    assert line.flags("/kit/lib") == ["-L/kit/lib", "-lsffi_host", "-L/opt/lib", "-Wl,-rpath,/opt/lib", "-Wl,--as-needed",
                                      "-lsqlite3", "-lm", "-lgcc_s", "-lc", "-lstdc++"]
    cargo = line.cargo_lines("/kit/lib")
    assert cargo[:2] == ["cargo:rustc-link-search=native=/kit/lib", "cargo:rustc-link-lib=static=sffi_host"]
    assert "cargo:rustc-link-arg=-Wl,-rpath,/opt/lib" in cargo and "cargo:rustc-link-arg=-Wl,--as-needed" in cargo and "cargo:rustc-link-lib=dylib=stdc++" in cargo
    pc = linkline.pkg_config(["core"], line, "0.1.0")
    assert "prefix=${pcfiledir}/../..\n" in pc and "Libs: -L${libdir} -lsffi_host -L/opt/lib" in pc
