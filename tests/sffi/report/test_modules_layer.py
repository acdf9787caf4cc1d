"""`sffi report` lists the loadable modules built beside a build (docs/reports.md, "Modules").

Real modules, built with the machine's cc as `scons --modules` builds them
(tests/modbuild.py), in build/release/modules/<lib>/ beside the
hand-made build of test_report.py.
"""

import json
import subprocess
import sys
from pathlib import Path

from modbuild import DEMO_C, DEMO_DECLS, build_module  # noqa: E402
from test_report import make_build  # noqa: E402

from sffi import manifest, module_table, table  # noqa: E402
from sffi.plan import layout  # noqa: E402
from sffi.report import layers  # noqa: E402


def add_library(root: Path, name: str, spl: str) -> None:
    """ffi_libs/<name> with declarations ``spl`` (its sources are the module's)."""
    lib = root / "ffi_libs" / name
    (lib / "src").mkdir(parents=True)
    (lib / "sffi.toml").write_text(f'name = "{name}"\nprefix = "rt_{name}_"\nkind = "c"\n'
                                   f'declarations = ["{name}.spl"]\nsources = ["src/*.c"]\n')
    (lib / f"{name}.spl").write_text(spl)


def modules_dir(root: Path, name: str) -> Path:
    return root / layout.Layout("release").module_dir(name)


def report(root: Path, sel: Path):
    return layers.build_report(sel, manifest.discover(root / "ffi_libs"))


def test_a_fresh_module_is_listed_with_its_descriptor(tmp_path):
    sel = make_build(tmp_path)
    add_library(tmp_path, "other", DEMO_DECLS.replace("rt_demo_", "rt_other_"))
    path = build_module(modules_dir(tmp_path, "other"), "other", DEMO_DECLS.replace("rt_demo_", "rt_other_"),
                        DEMO_C.replace("rt_demo_", "rt_other_"), work=tmp_path / "w")
    rep = report(tmp_path, sel)
    [mod] = rep.data["modules"]
    facts, gnu_id = module_table.read_module(path)
    assert (mod["path"], mod["library"], mod["status"], mod["abi_version"]) == (str(path), "other", "ok", 2)
    assert (mod["digest"], mod["build_id"], mod["gnu_build_id"]) == (facts.digest, "test", gnu_id)
    assert [(e["name"], e["signature"], e["status"]) for e in mod["entries"]] == [
        (n, s, "ok") for n, s in facts.entries]
    assert mod["entries"][0]["declared_at"].endswith("other.spl:1:1")
    titles = [t.title for t in rep.tables]
    assert "modules" in titles and f"module other ({path})" in titles
    assert any(n.startswith("modules: 1 in ") and n.endswith("(ok 1)") for n in rep.notes)
    for fmt in ("markdown", "html", "text"):
        proc = subprocess.run([sys.executable, "-m", "sffi", "report", str(sel), "--ffi-libs",
                               str(tmp_path / "ffi_libs"), "--format", fmt], capture_output=True, text=True)
        assert str(path) in proc.stdout and facts.digest[:19] in proc.stdout, fmt
        assert "rt_other_pair" in proc.stdout, fmt


def test_stale_mismatched_and_broken_modules(tmp_path, capsys):
    sel = make_build(tmp_path)
    spl = DEMO_DECLS.replace("rt_demo_", "rt_other_")
    add_library(tmp_path, "other", spl)
    build_module(modules_dir(tmp_path, "other"), "other", spl, DEMO_C.replace("rt_demo_", "rt_other_"),
                 work=tmp_path / "w")
    add_library(tmp_path, "old", "extern fn rt_old_one() -> i64\n")
    build_module(modules_dir(tmp_path, "old"), "old", "extern fn rt_old_one() -> i64\n",
                 "int64_t rt_old_one(void) { return 1; }\n", work=tmp_path / "w2", abi_version=1)
    bad = modules_dir(tmp_path, "cut") / "libsffi_cut.so"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"\x7fELF-cut")
    # the declarations change after the module was built: one parameter's type
    (tmp_path / "ffi_libs" / "other" / "other.spl").write_text(spl.replace("(x: f64) -> f64", "(x: i64) -> f64"))
    rep = report(tmp_path, sel)
    mods = {m["library"]: m for m in rep.data["modules"]}
    assert {k: m["status"] for k, m in mods.items()} == {"cut": "failed", "old": "mismatch", "other": "stale"}
    assert mods["old"]["detail"] == "ABI version 1, the runtime's table has 2"
    assert mods["cut"]["detail"].startswith("not a readable ELF file")
    assert mods["other"]["detail"].startswith("built from other declarations (digest differs, 1 externs changed)")
    [changed] = [e for e in mods["other"]["entries"] if e["status"] != "ok"]
    assert (changed["name"], changed["detail"]) == ("rt_other_half", "declared (i64) -> f64: rebuild")
    problems = next(t for t in rep.tables if t.title == "problems").rows
    assert [r[2] for r in problems if r[0].endswith(".so")] == ["failed", "mismatch", "stale"]
    # exit bits: mismatch and failed are incompatible (4|8), on top of the hand-made build's own
    assert rep.status & 12 == 12
    proc = subprocess.run([sys.executable, "-m", "sffi", "report", str(sel), "--ffi-libs",
                           str(tmp_path / "ffi_libs"), "--format", "json"], capture_output=True, text=True)
    assert [m["status"] for m in json.loads(proc.stdout)["modules"]] == ["failed", "mismatch", "stale"]


def test_no_modules_is_said(tmp_path):
    sel = make_build(tmp_path)
    rep = report(tmp_path, sel)
    assert rep.data["modules"] == []
    assert f"modules: none built in {tmp_path / 'build' / 'release' / 'modules'}" in rep.notes
    assert "modules" not in [t.title for t in rep.tables]
