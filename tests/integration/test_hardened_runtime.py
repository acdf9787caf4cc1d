"""The release runtime as built: hardened, audited, its debug information in ``simple.debug``.

The runtime of ``--with=sqlite`` (C runtime and core, the Rust crate, SQLite's
static archive) is read back with sffi.hardening and with Debian's checksec.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from buildhelp import ROOT, scons
from sffi import hardening
from sffi.symbols.elf import read_elf

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runtime(build_runtime):
    return build_runtime("sqlite")


def test_the_release_runtime_passes_every_check(runtime):
    assert hardening.audit(runtime, list(hardening.CHECKS)) == []
    audit = (runtime.parent / "audit.txt").read_text()
    assert f"hardening: {', '.join(hardening.CHECKS)}\n" in audit  # what the build audited


def test_it_ships_without_debug_sections_and_beside_its_debug_file(runtime):
    facts = hardening.read_facts(runtime)
    assert facts.debug_sections == [] and facts.debuglink == "simple.debug"
    debug = runtime.parent / "simple.debug"
    theirs = hardening.read_facts(debug, symbols=False)
    assert theirs.build_id == facts.build_id and len(facts.build_id) == 40
    assert any(name.startswith(".debug_info") for name in theirs.debug_sections)
    # `objcopy --strip-debug` keeps .symtab: the audit still finds every table entry in it
    entries = json.loads((runtime.parent / "sffi_table.json").read_text())["entries"]
    first = (runtime.parent / "audit.txt").read_text().splitlines()[0]
    assert first.startswith(f"{len(entries)} table entries defined in ") and len(entries) > 40


def test_the_projects_own_objects_have_canaries_and_fortified_calls():
    """Binary-level checks pass on SQLite's imports alone; the runtime's and core's objects must
    themselves call __stack_chk_fail and __*_chk (issue 17, item 8)."""
    for directory in ("build/release/runtime/src", "build/release/libs/core/obj/src"):
        imports = set()
        for obj in sorted((ROOT / directory).glob("*.o")):
            with open(obj, "rb") as f:
                imports |= {s.name for s in read_elf(f, obj.stat().st_size, location=str(obj))[1] if not s.defined}
        assert "__stack_chk_fail" in imports, directory
        assert any(n.startswith("__") and n.endswith("_chk") and n != "__stack_chk_fail" for n in imports), directory


def test_checksec_agrees(runtime):
    if shutil.which("checksec") is None:
        pytest.skip("checksec (Debian package checksec) is not installed")
    proc = subprocess.run(["checksec", f"--file={runtime}", "--output=json"], capture_output=True, text=True)
    theirs = json.loads(proc.stdout)[str(runtime)]
    assert {k: theirs[k] for k in ("relro", "canary", "nx", "pie", "fortify_source")} == {
        "relro": "full", "canary": "yes", "nx": "yes", "pie": "yes", "fortify_source": "yes"}


def test_the_debug_mode_says_what_it_leaves_out(build_runtime):
    runtime = build_runtime("sqlite", mode="debug")
    audit = (runtime.parent / "audit.txt").read_text()
    assert "hardening: relro, bindnow, pie, nxstack, stack-protector (fortify off: --mode=debug" in audit
    assert "split-debug off: --mode=debug" in audit
    assert hardening.read_facts(runtime).debug_sections  # the debug mode keeps its DWARF inline
    assert not (runtime.parent / "simple.debug").exists()


def test_an_unknown_hardening_value_is_a_usage_error():
    proc = scons(["runtime", "--hardening=no-canary", "-n"], check=False)
    assert proc.returncode == 2
    assert "--hardening: unknown value 'no-canary'" in proc.stderr and "stack-protector" in proc.stderr
    assert "Traceback" not in proc.stderr
