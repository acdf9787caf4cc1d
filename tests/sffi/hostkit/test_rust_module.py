"""sffi.hostkit.rust_module, the host kit's Rust module, without a build: a mirror of every ABI
type, the same text in every interpreter, and rustc accepts it."""

from __future__ import annotations

import shutil
import subprocess

import pytest

import hashseed
from sffi import abi
from sffi.hostkit import rust_module


def test_every_abi_type_has_a_rust_mirror():
    kinds = {t.abi.spelling: (t.variant, t.kind, t.scalar) for t in rust_module.rust_types()}
    assert kinds["i64"] == ("I64", "scalar", "i64")
    assert kinds["bool"] == ("Bool", "scalar", "bool")
    assert kinds["text"] == ("Text", "text", None)
    assert kinds["[f64]"] == ("F64Array", "array", "f64")
    assert kinds["[text]"] == ("TextArray", "array", None)
    assert set(kinds) == set(abi.TYPES)
    assert all(kind != "unsupported" for _, kind, _ in kinds.values())


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
