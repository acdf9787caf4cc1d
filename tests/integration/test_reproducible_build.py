"""Two clean builds of the same tree from two checkout directories give the same bytes.

The tree is copied to two temporary directories of different depth and name
length; ``scons runtime --with=sqlite`` (the C runtime and core, the Rust crate
sqlite through the umbrella staticlib) runs in each, in release and debug mode,
and the runtime, its debug file, the table and every archive must have the same
sha256 (docs/reliability.md, "Reproducible builds"). The same trees then serve
the options' tests: ``--hardening=no-split-debug`` relinks only, and a compiler
that drops a hardening flag fails the build at the audit.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from buildhelp import ROOT, scons

IGNORE = shutil.ignore_patterns("build", ".venv", ".git", "__pycache__", ".pytest_cache", "target", "Cargo.lock")
SEL = "build/{mode}/sel/core+sqlite"
MODES = ("release", "debug")

pytestmark = pytest.mark.slow


def digests(project: Path) -> dict[str, str]:
    """Path under the project -> sha256 of what a reproducible build must repeat."""
    files = [project / "build/bin/simple"]
    for mode in MODES:
        sel = project / SEL.format(mode=mode)
        files += [sel / n for n in ("simple", "sffi_table.c", "sffi_table.json")]
        files += [p for p in (project / "build" / mode).rglob("*")
                  if p.suffix in (".a", ".rlib") and "cargo" not in p.parts]
    files.append(project / SEL.format(mode="release") / "simple.debug")
    return {p.relative_to(project).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("repro")
    trees = (base / "a" / "sffi", base / "a-much-longer-checkout-path" / "second" / "sffi")
    for tree in trees:
        shutil.copytree(ROOT, tree, ignore=IGNORE)
        for mode in (*MODES[1:], MODES[0]):  # release last: build/bin/simple is the release runtime
            scons(["runtime", "--with=sqlite", f"--mode={mode}", "-j2"], cwd=tree)
    return trees


def test_two_checkouts_build_the_same_bytes(two_builds):
    first, second = (digests(t) for t in two_builds)
    assert {f"build/{mode}/{path}" for mode in MODES for path in (
        "libs/core/libsffi_core.a", "rust/sqlite/libsffi_rust.a", "libs/sqlite/libsffi_sqlite.rlib",
        "sel/core+sqlite/simple")} <= set(first)
    different = sorted(p for p in first if first[p] != second.get(p))
    assert different == [], f"differ between {two_builds[0]} and {two_builds[1]}: {different}"


def test_no_checkout_path_is_embedded(two_builds):
    for tree in two_builds:
        paths = [tree / SEL.format(mode="release") / "simple.debug"]
        for mode in MODES:
            paths += [tree / SEL.format(mode=mode) / "simple", tree / f"build/{mode}/rust/sqlite/libsffi_rust.a"]
        for path in paths:
            assert str(tree).encode() not in path.read_bytes(), path


def test_turning_split_debug_off_relinks_only_and_says_so(two_builds):
    tree = two_builds[0]
    out = scons(["runtime", "--with=sqlite", "-j2", "--hardening=no-split-debug"], cwd=tree).stdout
    assert [line.split()[0] for line in out.splitlines() if line.startswith("  ") and line.split()[0] in (
        "CC", "CXX", "CARGO", "LINK")] == ["LINK"]
    assert "split-debug off: --hardening" in out
    assert not (tree / "build/bin/simple.debug").exists()


def test_the_audit_fails_a_link_that_lost_a_protection(two_builds, tmp_path):
    """A compiler that drops ``-Wl,-z,now`` (a wrapper, as a toolchain might): the build stops at
    the audit naming the check and the fix; ``--hardening=no-bindnow`` lets it through."""
    wrapper = tmp_path / "cc"
    wrapper.write_text("#!/usr/bin/env python3\nimport os, sys\n"
                       "os.execvp('cc', ['cc'] + [a for a in sys.argv[1:] if a != '-Wl,-z,now'])\n")
    wrapper.chmod(0o755)
    env = {**os.environ, "CC": str(wrapper)}
    tree = two_builds[1]
    cmd = [sys.executable, "-m", "SCons", "-Q", "runtime", "--with=none", "-j2"]
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0, proc.stdout
    assert "lacks 1 protection(s)" in proc.stderr and "--hardening=no-CHECK" in proc.stderr
    assert "bindnow: lazy binding (no BIND_NOW: partial RELRO); fix: link with -Wl,-z,now" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = subprocess.run([*cmd, "--hardening=no-bindnow"], cwd=tree, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "bindnow off: --hardening" in proc.stdout


def test_cleaning_removes_the_member_links_not_the_crates(two_builds):
    """``members/<crate>`` in the generated crates links to ffi_libs/: ``scons -c`` must not follow it."""
    tree = two_builds[0]
    assert (tree / "build/release/rust/sqlite/umbrella/members/sffi_sqlite").is_symlink()
    scons(["-c", "--with=sqlite"], cwd=tree)
    assert not (tree / "build").exists()
    assert (tree / "ffi_libs/sqlite/src/lib.rs").is_file() and (tree / "ffi_libs/sqlite/Cargo.toml").is_file()
