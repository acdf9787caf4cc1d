"""`sffi diff OLD NEW` on real artifacts, tables and build directories, checked against abidiff.

Two versions of a C fixture library are compiled with `cc -g` into shared
objects and static archives; libabigail's `abidiff` (Debian's abigail-tools)
compares the same shared objects, and its added and removed sets and exit
status must agree with sffi's.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cbuild import CC, run, write
from sffi import decls, table
from sffi.cli import main
from sffi.plan import layout
from sffi.report import diff

V1 = """#include <stdint.h>
int64_t f_keep(int64_t x) { return x; }
void f_removed(void) {}
int64_t f_changed(int64_t a) { return a; }
int64_t f_weak(void) { return 1; }
int64_t g_var = 3;
"""
# f_removed removed, f_added added, f_changed takes a double too, f_weak made weak.
V2 = """#include <stdint.h>
int64_t f_keep(int64_t x) { return x; }
int64_t f_added(int64_t x) { return x + 1; }
int64_t f_changed(int64_t a, double b) { return a + (int64_t)b; }
__attribute__((weak)) int64_t f_weak(void) { return 1; }
int64_t g_var = 3;
"""
# V1 plus one function and one variable: additions only.
V_ADDED = V1 + "int64_t f_added(int64_t x) { return x + 1; }\nint64_t g_added = 4;\n"

EXPECTED = {("removed", "function", "f_removed", None), ("added", "function", "f_added", None),
            ("changed", "function", "f_changed", "signature"), ("changed", "function", "f_weak", "binding")}

SUPPRESSIONS = """# accepted for release 2
[suppress_function]
  label = removal accepted
  name = f_removed
  change_kind = deleted-function

[suppress_function]
  name_regexp = ^f_chan
  change_kind = function-subtype-change
"""

LAYOUT = layout.Layout("release")


def build(tmp_path: Path, name: str, source: str, *flags: str) -> dict[str, Path]:
    """``name.so`` (cc -g -shared -fPIC) and ``name.a`` (cc -g -c; ar rcs) of one source."""
    src = write(tmp_path / name / f"{name}.c", source)
    so = tmp_path / name / f"{name}.so"
    run([CC, "-g", "-O0", "-shared", "-fPIC", *flags, str(src), "-o", str(so)])
    obj = tmp_path / name / f"{name}.o"
    run([CC, "-g", "-O0", "-c", str(src), "-o", str(obj)])
    archive = tmp_path / name / f"lib{name}.a"
    run(["ar", "rcs", str(archive), str(obj)])
    return {"so": so, "a": archive}


def sffi_json(capsys, *args) -> tuple[int, dict]:
    """Run ``sffi diff ... --format json`` in-process: (exit status, parsed JSON)."""
    status = main(["diff", *map(str, args), "--format", "json"])
    return status, json.loads(capsys.readouterr().out)


def change_set(doc: dict, key: str = "changes") -> set:
    return {(c["kind"], c["what"], c["name"], c["attribute"]) for c in doc[key]}


def names(doc: dict, kind: str) -> set[str]:
    return {c["name"] for c in doc["changes"] if c["kind"] == kind}


def abidiff(old: Path, new: Path) -> tuple[int, set[str], set[str]]:
    """abidiff's exit status and the (added, removed) symbol names it lists.

    Lines look like ``  [D] 'function void f_removed()'    {f_removed}`` (with
    debug info) or ``  [A] f_added`` (symbols not referenced by debug info).
    """
    proc = subprocess.run(["abidiff", str(old), str(new)], capture_output=True, text=True)
    assert proc.returncode in (0, 4, 12), proc.stdout + proc.stderr
    found: dict[str, set[str]] = {"A": set(), "D": set()}
    for line in proc.stdout.splitlines():
        m = re.match(r"\s*\[([AD])\] (.*)$", line)
        if not m:
            continue
        braces = re.search(r"\{([^}]+)\}\s*$", m.group(2))
        found[m.group(1)].add((braces.group(1) if braces else m.group(2).split()[0]).split("@")[0])
    return proc.returncode, found["A"], found["D"]


@pytest.fixture
def versions(tmp_path):
    return build(tmp_path, "v1", V1), build(tmp_path, "v2", V2)


def test_shared_objects_exact_changes_and_abidiff_agrees(tmp_path, capsys, versions):
    v1, v2 = versions
    status, doc = sffi_json(capsys, v1["so"], v2["so"])
    assert change_set(doc) == EXPECTED
    assert status == 12 and doc["status"] == 12 and doc["format"] == "sffi-diff/1"
    assert doc["input_kind"] == "library" and doc["summary"] == {"removed": 1, "changed": 2, "added": 1,
                                                                 "suppressed": 0}
    by = {(c["name"], c["attribute"]): c for c in doc["changes"]}
    sig = by[("f_changed", "signature")]
    assert sig["old"] == "int64_t f_changed(int64_t)" and sig["new"] == "int64_t f_changed(int64_t, double)"
    assert sig["incompatible"] and by[("f_weak", "binding")]["detail"] == "binding: global => weak"
    assert not by[("f_weak", "binding")]["incompatible"]
    if shutil.which("abidiff") is None:
        pytest.skip("abidiff (Debian package abigail-tools) is not installed: sffi's changes were "
                    "checked, the comparison with abidiff was not")
    abi_status, added, removed = abidiff(v1["so"], v2["so"])
    assert (added, removed) == (names(doc, "added"), names(doc, "removed")) == ({"f_added"}, {"f_removed"})
    assert abi_status == status


def test_static_archives_give_the_same_changes(capsys, versions):
    v1, v2 = versions
    status, doc = sffi_json(capsys, v1["a"], v2["a"])
    assert change_set(doc) == EXPECTED and status == 12
    assert any("compared from DWARF for 3 of 3" in n for n in doc["notes"])


def test_additions_only_and_identical(tmp_path, capsys, versions):
    v1, _ = versions
    added = build(tmp_path, "v3", V_ADDED)
    status, doc = sffi_json(capsys, v1["so"], added["so"])
    assert change_set(doc) == {("added", "function", "f_added", None), ("added", "variable", "g_added", None)}
    assert status == 4
    same_status, same = sffi_json(capsys, v1["so"], v1["so"])
    assert same_status == 0 and same["changes"] == [] and same["summary"]["removed"] == 0
    if shutil.which("abidiff") is None:
        pytest.skip("abidiff (Debian package abigail-tools) is not installed")
    abi_status, abi_added, abi_removed = abidiff(v1["so"], added["so"])
    assert (abi_added, abi_removed) == (names(doc, "added"), names(doc, "removed"))
    assert abi_status == status == 4
    assert abidiff(v1["so"], v1["so"])[0] == same_status == 0


def test_suppressions_silence_accepted_changes_and_are_counted(tmp_path, capsys, versions):
    v1, v2 = versions
    spec = write(tmp_path / "accepted.abignore", SUPPRESSIONS)
    status, doc = sffi_json(capsys, v1["so"], v2["so"], "--suppressions", spec)
    assert status == 4  # what is left: the addition and the weak binding (benign)
    assert change_set(doc) == {("added", "function", "f_added", None), ("changed", "function", "f_weak", "binding")}
    assert doc["summary"]["suppressed"] == 2 and doc["summary"]["removed"] == 0
    by = {c["name"]: c for c in doc["suppressed"]}
    assert by["f_removed"]["suppressed_by"] == "removal accepted"
    assert by["f_changed"]["suppressed_by"] == f"[suppress_function] at {spec}:7"
    assert doc["suppression_files"] == [str(spec)]
    # The text report lists them too.
    assert main(["diff", str(v1["so"]), str(v2["so"]), "--suppressions", str(spec)]) == 4
    text = capsys.readouterr().out
    assert "Suppressed (2)" in text and "removal accepted" in text and "2 suppressed" in text


def test_attribute_classes_on_shared_objects(tmp_path, capsys):
    old = build(tmp_path, "a1", "#include <stdint.h>\nint64_t g_size = 1;\nvoid f_prot(void) {}\n")
    script = write(tmp_path / "v.map", "V1 { global: *; };\n")
    new = build(tmp_path, "a2", "#include <stdint.h>\nint32_t g_size = 1;\n"
                "__attribute__((visibility(\"protected\"))) void f_prot(void) {}\n",
                f"-Wl,--version-script={script}")
    status, doc = sffi_json(capsys, old["so"], new["so"])
    found = {(c["name"], c["attribute"]): (c["old"], c["new"], c["incompatible"]) for c in doc["changes"]}
    assert found == {("g_size", "size"): ("8", "4", True),
                     ("g_size", "version"): ("none", "@@V1", False),
                     ("f_prot", "version"): ("none", "@@V1", False),
                     ("f_prot", "visibility"): ("default", "protected", False)}
    assert status == 12
    spec = write(tmp_path / "size.supp", "[suppress_variable]\nname = g_size\nchange_kind = size-change\n")
    status, doc = sffi_json(capsys, old["so"], new["so"], "--suppressions", spec)
    assert status == 4 and doc["summary"]["suppressed"] == 1


def test_export_made_static_is_a_removal_with_its_reason(tmp_path, capsys):
    old = build(tmp_path, "s1", "int helper(void) { return 1; }\nint api(void) { return helper(); }\n")
    new = build(tmp_path, "s2", "static int helper(void) { return 1; }\nint api(void) { return helper(); }\n")
    status, doc = sffi_json(capsys, old["a"], new["a"])
    [change] = doc["changes"]
    assert (change["kind"], change["name"], change["attribute"], change["old"], change["new"]) == \
        ("removed", "helper", "binding", "global", "local")
    assert status == 12
    status, doc = sffi_json(capsys, new["a"], old["a"])
    assert [(c["kind"], c["detail"]) for c in doc["changes"]] == [("added", "binding: local => global")]
    assert status == 4


def test_runtime_binaries_compare_symtab_functions(tmp_path, capsys):
    def program(name, extra):
        src = write(tmp_path / f"{name}.c", f"int rt_x_one(void) {{ return 1; }}\n{extra}\n"
                                            "int main(void) { return rt_x_one(); }\n")
        run([CC, "-O0", str(src), "-o", str(tmp_path / name)])
        return tmp_path / name

    old, new = program("simple1", ""), program("simple2", "int rt_x_two(void) { return 2; }")
    status, doc = sffi_json(capsys, old, new)
    assert doc["input_kind"] == "program"
    assert change_set(doc) == {("added", "function", "rt_x_two", None)} and status == 4
    # A runtime binary and a library are different kinds: bad usage.
    lib = build(tmp_path, "lib", V1)
    assert main(["diff", str(old), str(lib["so"])]) == 3
    assert "give two of the same kind" in capsys.readouterr().err


# --------------------------------------------------------------------------- tables and builds


def spl_table(tmp_path: Path, name: str, libraries: dict[str, str]) -> dict:
    """An sffi-table/1 document from .spl text per library (sffi.table.generate_json)."""
    selected = []
    for lib, spl in libraries.items():
        path = write(tmp_path / name / f"{lib}.spl", spl)
        found, _ = decls.parse_files([path])
        selected.append(table.LibraryDecls(lib, found))
    return json.loads(table.generate_json(selected, []))


TABLE_OLD = {"demo": "extern fn rt_demo_a(x: i64) -> i64\nextern fn rt_demo_gone()\nextern fn rt_demo_move() -> i64\n"}
TABLE_NEW = {"demo": "extern fn rt_demo_a(x: i64, y: i64) -> i64\nextern fn rt_demo_new() -> bool\n",
             "other": "extern fn rt_demo_move() -> i64\n"}


def test_extern_tables(tmp_path, capsys):
    old = write(tmp_path / "old.json", json.dumps(spl_table(tmp_path, "o", TABLE_OLD)))
    new = write(tmp_path / "new.json", json.dumps(spl_table(tmp_path, "n", TABLE_NEW)))
    status, doc = sffi_json(capsys, old, new)
    assert change_set(doc) == {("removed", "extern", "rt_demo_gone", None), ("added", "extern", "rt_demo_new", None),
                               ("changed", "extern", "rt_demo_a", "signature"),
                               ("changed", "extern", "rt_demo_move", "library")}
    by = {(c["name"], c["attribute"]): c for c in doc["changes"]}
    assert by[("rt_demo_a", "signature")]["detail"] == "signature: (i64) -> i64 => (i64, i64) -> i64"
    assert by[("rt_demo_move", "library")]["old"] == "demo" and by[("rt_demo_move", "library")]["new"] == "other"
    assert status == 12 and doc["input_kind"] == "table"
    assert "libraries added to the selection: other" in doc["notes"]
    # Only the addition left: 4. An ABI version change is incompatible.
    spec = write(tmp_path / "s.supp", "[suppress_function]\nname_regexp = ^rt_demo_(a|gone|move)$\n")
    assert sffi_json(capsys, old, new, "--suppressions", spec)[0] == 4
    bumped = json.loads(old.read_text())
    bumped["abi_version"] += 1
    status, doc = sffi_json(capsys, old, write(tmp_path / "bumped.json", json.dumps(bumped)))
    assert change_set(doc) == {("changed", "table", "abi_version", "abi_version")} and status == 12


def test_json_that_is_not_a_table_and_mismatched_kinds(tmp_path, capsys, versions):
    other = write(tmp_path / "other.json", '{"format": "sffi-check/1"}')
    assert main(["diff", str(other), str(other)]) == 1
    assert 'not an extern table (expected "format": "sffi-table/1"' in capsys.readouterr().err
    good = write(tmp_path / "t.json", json.dumps(spl_table(tmp_path, "t", TABLE_OLD)))
    assert main(["diff", str(good), str(versions[0]["so"])]) == 3
    err = capsys.readouterr().err
    assert err.startswith("sffi: cannot compare") and len(err.splitlines()) == 1


def make_build(root: Path, libs: dict[str, tuple[str, str]], selection: str = "core+demo") -> Path:
    """build/release/{libs/<lib>/libsffi_<lib>.a, sel/<selection>/sffi_table.json} under ``root``.

    ``libs``: library -> (.spl declarations, C source).
    """
    selected = []
    for lib, (spl, source) in libs.items():
        out = root / LAYOUT.lib_dir(lib)
        src = write(out / f"{lib}.c", source)
        run([CC, "-g", "-O0", "-c", str(src), "-o", str(out / f"{lib}.o")])
        run(["ar", "rcs", str(out / f"libsffi_{lib}.a"), str(out / f"{lib}.o")])
        found, _ = decls.parse_files([write(root / "spl" / f"{lib}.spl", spl)])
        selected.append(table.LibraryDecls(lib, found))
    sel = root / LAYOUT.sel_dir(selection)
    write(sel / "sffi_table.json", table.generate_json(selected, []))
    return sel


def test_build_directories_see_a_symbol_move_between_libraries(tmp_path, capsys):
    helper = "#include <stdint.h>\nint64_t rt_a_move(void) { return 7; }\n"
    old = make_build(tmp_path / "old", {
        "a": ("extern fn rt_a_one() -> i64\nextern fn rt_a_move() -> i64\n",
              "#include <stdint.h>\nint64_t rt_a_one(void) { return 1; }\n" + helper),
        "b": ("extern fn rt_b_one(x: i64) -> i64\n",
              "#include <stdint.h>\nint64_t rt_b_one(int64_t x) { return x; }\n")})
    new = make_build(tmp_path / "new", {
        "a": ("extern fn rt_a_one() -> i64\n", "#include <stdint.h>\nint64_t rt_a_one(void) { return 1; }\n"),
        "b": ("extern fn rt_b_one(x: i64) -> i64\nextern fn rt_a_move() -> i64\n",
              "#include <stdint.h>\nint64_t rt_b_one(int64_t x) { return x; }\n" + helper)})
    # The variant directory holds one build: it names it.
    status, doc = sffi_json(capsys, old, tmp_path / "new" / "build" / "release")
    assert change_set(doc) == {("changed", "extern", "rt_a_move", "library"),
                               ("changed", "function", "rt_a_move", "library")}
    assert {c["library"] for c in doc["changes"]} == {"b"} and status == 12
    assert doc["input_kind"] == "build"


def test_build_directory_with_several_builds_or_no_archive(tmp_path, capsys):
    lib = {"demo": ("extern fn rt_demo_x() -> i64\n", "#include <stdint.h>\nint64_t rt_demo_x(void) { return 1; }\n")}
    one = make_build(tmp_path, lib, "core+demo")
    make_build(tmp_path, lib, "demo")
    variant = tmp_path / "build" / "release"
    assert main(["diff", str(variant), str(one)]) == 1
    err = capsys.readouterr().err
    assert "holds 2 builds; name one of them" in err and str(one) in err and str(variant / "sel" / "demo") in err
    for archive in (variant / "libs" / "demo").glob("*.a"):
        archive.unlink()
    assert main(["diff", str(one), str(one)]) == 1
    assert "holds no built archive" in capsys.readouterr().err


# --------------------------------------------------------------------------- command line and formats


def sffi(*args):
    return subprocess.run([sys.executable, "-m", "sffi", "diff", *map(str, args)], capture_output=True, text=True)


def test_corrupt_file_is_one_error_line(tmp_path, versions):
    corrupt = tmp_path / "corrupt.so"
    corrupt.write_bytes(versions[0]["so"].read_bytes()[:200])
    proc = sffi(corrupt, versions[1]["so"])
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith(f"sffi: {corrupt}: truncated ELF file") and len(proc.stderr.splitlines()) == 1
    text = write(tmp_path / "notes.txt", "hello\n")
    proc = sffi(text, text)
    assert proc.returncode == 1 and "not an ELF object" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_suppression_file_names_its_line(tmp_path, versions):
    bad = write(tmp_path / "bad.supp", "[suppress_function]\nname_regexp = f_(\n")
    proc = sffi(versions[0]["so"], versions[1]["so"], "--suppressions", bad)
    assert proc.returncode == 1 and proc.stderr.startswith(f"sffi: {bad}:2: bad regular expression")
    assert len(proc.stderr.splitlines()) == 1


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
def test_each_format_renders(tmp_path, versions, fmt):
    out = tmp_path / f"report.{fmt}"
    proc = sffi(versions[0]["so"], versions[1]["so"], "--format", fmt, "-o", out)
    assert proc.returncode == 12 and proc.stdout == "", proc.stderr
    body = out.read_text()
    assert "f_removed" in body and "f_added" in body
    if fmt == "html":
        assert body.startswith("<!DOCTYPE html>") and "<table>" in body and 'class="bad"' in body
    elif fmt == "markdown":
        assert re.search(r"^\| status +\| what +\| name", body, re.M) and "|---" in body
    elif fmt == "json":
        doc = json.loads(body)
        assert doc["format"] == "sffi-diff/1" and doc["status"] == 12
        assert set(doc) >= {"old", "new", "input_kind", "changes", "suppressed", "summary", "notes"}
    else:
        assert "summary: 1 removed, 2 changed, 1 added, 0 suppressed" in body


def test_diff_module_api(versions):
    report = diff.diff(versions[0]["so"], versions[1]["so"])
    assert report.kind == "sffi-diff" and report.status == 12
    assert [t.title for t in report.tables] == ["Removed (1)", "Changed (2)", "Added (1)", "Suppressed (0)"]
    assert all(t.status_column == 0 for t in report.tables)


def test_demangle_shows_cxx_names_readably(tmp_path, capsys):
    objs = {}
    for version, body in (("v1", "namespace img { int width(long h) { return (int)h; } }\n"),
                          ("v2", "namespace img { int width(long h) { return (int)h; } int height(long h) { return (int)h; } }\n")):
        src = write(tmp_path / f"{version}.cpp", body)
        objs[version] = tmp_path / f"{version}.o"
        run(["c++", "-c", str(src), "-o", str(objs[version])])
    status, doc = sffi_json(capsys, objs["v1"], objs["v2"])
    assert status == 4
    assert [(c["name"], c["demangled"]) for c in doc["changes"]] == [("_ZN3img6heightEl", "img::height(long)")]
    assert main(["diff", str(objs["v1"]), str(objs["v2"]), "--demangle"]) == 4
    assert "added     function  img::height(long)" in capsys.readouterr().out
    main(["diff", str(objs["v1"]), str(objs["v2"])])
    assert "img::height" not in capsys.readouterr().out


@pytest.mark.parametrize("newline", [False, True])
def test_rust_hashed_names_and_version_nodes_are_left_out(newline):
    """The column-wise filter keeps exactly what the rule (``_RUST_HASHED``, name == version)
    keeps, also with a name holding a newline (the per-name path)."""
    from sffi.report.diff_inputs import _RUST_HASHED, Side, _interfaces

    names = ["_ZN3std2io5stdio6_print17h0123456789abcdefE", "_ZN3std17h0123456789abcdefE.llvm.1",
             "_ZN5hash17hasher4makeE", "_RNvCs123_4core3foo", "_Rust_eh_personality", "_R", "VERS_1",
             "plain", "_ZN17h0123456789abcdeE", "x17h0123456789abcdefE"]
    if newline:
        names.append("odd\nname")
    rows = [(n, "func", "global", "default", 0, True, None, "VERS_1" if n == "VERS_1" else None, False, 0)
            for n in names]
    side = Side("p", "library", "archive")
    kept = [r[0] for r in _interfaces(side, rows)]
    expected = [n for n in names if n != "VERS_1" and not _RUST_HASHED.match(n)]
    assert kept == expected and side.ignored == len(names) - 1 - len(expected)
    assert "_ZN3std2io5stdio6_print17h0123456789abcdefE" not in kept and "_ZN5hash17hasher4makeE" in kept


SIG_OLD = "#include <stdint.h>\nint64_t f_keep(int64_t x) { return x; }\nint64_t f_changed(int64_t a) { return a; }\n"


@pytest.mark.parametrize("new_def, abidiff_says, new_sig", [
    ("int64_t f_changed(int64_t a, double b) { return a + (int64_t)b; }",
     "parameter 2 of type 'double' was added", "int64_t f_changed(int64_t, double)"),
    ("double f_changed(int64_t a) { return a; }",
     "entity changed from 'typedef int64_t' to compatible type 'double'", "double f_changed(int64_t)"),
])
def test_a_changed_signature_alone_agrees_with_abidiff(tmp_path, capsys, new_def, abidiff_says, new_sig):
    """Nothing added or removed, one signature changed: abidiff ([C] lines, exit status) is the oracle
    for which function changed and how; sffi also calls it incompatible (bit 8: a C caller of the old
    signature breaks), where abidiff stops at "worth review" (bit 4)."""
    if shutil.which("abidiff") is None:
        pytest.skip("abidiff (Debian package abigail-tools) is not installed")
    old = build(tmp_path, "old", SIG_OLD)["so"]
    new = build(tmp_path, "new", SIG_OLD.replace("int64_t f_changed(int64_t a) { return a; }", new_def))["so"]
    proc = subprocess.run(["abidiff", str(old), str(new)], capture_output=True, text=True)
    changed = set(re.findall(r"^\s*\[C\] 'function \S+ (\w+)\(", proc.stdout, re.M))
    assert (proc.returncode, changed) == (4, {"f_changed"}) and abidiff_says in proc.stdout, proc.stdout
    status, doc = sffi_json(capsys, old, new)
    assert change_set(doc) == {("changed", "function", "f_changed", "signature")}
    assert {c["name"] for c in doc["changes"]} == changed
    (change,) = doc["changes"]
    assert (change["old"], change["new"], change["incompatible"]) == ("int64_t f_changed(int64_t)", new_sig, True)
    assert status & 4 and status == 12
