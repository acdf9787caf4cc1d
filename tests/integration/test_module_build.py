"""`scons runtime --modules=LIBS`: a real module from an unchanged manifest (docs/modules.md)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import elforacle
from buildhelp import ROOT, scons
from sffi import module_table, selection
from sffi.errors import SffiError
from sffi.plan import layout
from sffi.symbols import exports, scan_file

KNOWN = ["core", "opencv", "sqlite", "torch"]


@pytest.mark.parametrize("value, linked, expected", [
    ("none", ["core"], []),
    ("", ["core"], []),
    ("all", ["core", "sqlite"], ["opencv", "torch"]),
    ("torch, opencv", ["core", "sqlite"], ["opencv", "torch"]),
])
def test_parse_modules(value, linked, expected):
    assert selection.parse_modules(value, KNOWN, linked) == expected


@pytest.mark.parametrize("value, message", [
    ("nope", "--modules: unknown library 'nope'; libraries that can be modules: opencv, sqlite, torch (or all, none)"),
    ("core", "--modules: unknown library 'core'; libraries that can be modules: opencv, sqlite, torch (or all, none)"),
    ("sqlite", "--modules: sqlite also given to --with; a library is either linked in or a module"),
])
def test_parse_modules_refuses(value, message):
    with pytest.raises(SffiError) as info:
        selection.parse_modules(value, KNOWN, ["core", "sqlite"])
    assert str(info.value) == message


LAYOUT = layout.Layout("release")


@pytest.fixture(scope="module")
def sqlite_module(build_runtime):
    build_runtime("none", modules="sqlite")
    return ROOT / LAYOUT.module("sqlite")


def test_rust_module_exports_only_its_descriptor(sqlite_module):
    # readelf --dyn-syms (binutils) is the oracle; sffi's scanner must read the same
    assert elforacle.exported(sqlite_module) == {"sffi_module_descriptor"}  # Rust runtime, sqlite3: local
    assert {s.name for s in exports(scan_file(sqlite_module).symbols)} == {"sffi_module_descriptor"}


def test_module_carries_the_library_declarations(sqlite_module):
    facts, _ = module_table.read_module(sqlite_module)
    declared = (ROOT / "ffi_libs" / "sqlite" / "sqlite.spl").read_text()
    assert (facts.library, facts.abi_version, facts.build_id) == ("sqlite", 2, "release")
    assert facts.rebuild == "scons runtime --modules=sqlite --mode=release"
    assert facts.entries and all(f"extern fn {name}(" in declared for name, _ in facts.entries)


def test_module_is_installed_beside_the_runtime(sqlite_module):
    installed = ROOT / LAYOUT.installed_module("sqlite")
    assert installed.read_bytes() == sqlite_module.read_bytes()


def test_help_documents_the_option():
    proc = scons(["-h"])
    assert "--modules=LIBS" in proc.stdout and "docs/modules.md" in proc.stdout


def test_a_bad_modules_option_stops_the_build():
    proc = scons(["runtime", "--modules=nope", "-n"], check=False)
    assert proc.returncode == 2
    assert "--modules: unknown library 'nope'" in proc.stderr
