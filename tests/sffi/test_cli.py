"""The `sffi` command line: output and abidiff-style exit statuses, on real archives."""

import json
import subprocess
import sys

import pytest

from test_check import make_library


def sffi(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sffi", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture
def alpha(tmp_path):
    return make_library(tmp_path, "alpha", "extern fn rt_alpha_one() -> i64\n",
                        "#include <stdint.h>\nint64_t rt_alpha_one(void) { return 1; }\n")


def test_decls_table_and_json(tmp_path):
    spl = tmp_path / "x.spl"
    spl.write_text("extern fn rt_x_b(s: text) -> bool\nextern fn rt_x_a()\n")
    proc = sffi("decls", str(spl))
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["name", "signature", "declared", "at"]
    assert lines[2].split()[0] == "rt_x_a" and lines[3].split()[:3] == ["rt_x_b", "(text)", "->"]
    doc = json.loads(sffi("decls", "--json", str(spl)).stdout)
    assert doc["format"] == "sffi-decls/1"
    assert [d["name"] for d in doc["declarations"]] == ["rt_x_a", "rt_x_b"]


def test_decls_lists_the_valid_declarations_of_a_file_with_errors(tmp_path):
    spl = tmp_path / "mixed.spl"
    spl.write_text("@unsafe(\"raw\")\npub extern fn rt_x_run(cmd: text) -> (text, text, i64)\n"
                   "extern fn rt_x_bad(a: u128) -> i64\n"
                   "extern fn rt_x_data(\n    data: [u8],\n) -> [u8]?\n")
    proc = sffi("decls", str(spl))
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [f"{spl}:3:23: error: unknown type 'u128' (expected a scalar "
                                        "(i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 bool), text, or [T] of one of them)"]
    rows = [line.split() for line in proc.stdout.splitlines()[2:]]
    assert rows == [["rt_x_data", "([u8])", "->", "[u8]?", f"{spl}:4:1"],
                    ["pub", "rt_x_run", "(text)", "->", "(text,", "text,", "i64)", f"{spl}:2:1"]]
    doc = json.loads(sffi("decls", "--json", str(spl)).stdout)
    run = doc["declarations"][1]
    assert run["pub"] is True and run["attributes"] == ['@unsafe("raw")'] and run["result"] == "(text, text, i64)"
    assert [d["location"] for d in doc["diagnostics"]] == [f"{spl}:3:23"]


def test_decls_reordered_parameters_exit_4(tmp_path):
    spl = tmp_path / "verify.spl"
    spl.write_text("extern fn rt_v(pubkey: [u8], message: [u8]) -> bool\n"
                   "extern fn rt_v(message: [u8], pubkey: [u8]) -> bool\n")
    proc = sffi("decls", str(spl))
    assert proc.returncode == 4 and "parameters in another order" in proc.stderr


def test_decls_statuses(tmp_path):
    dup = tmp_path / "dup.spl"
    dup.write_text("extern fn rt_x(a: i64)\nextern fn rt_x(b: i64)\n")
    proc = sffi("decls", str(dup))
    assert proc.returncode == 4 and "warning: duplicate declaration" in proc.stderr
    bad = tmp_path / "bad.spl"
    bad.write_text("extern fn rt_x(a: int)\n")
    proc = sffi("decls", str(bad))
    assert proc.returncode == 1 and f"{bad}:1:19: error: unknown type 'int'" in proc.stderr
    clash = tmp_path / "clash.spl"
    clash.write_text("extern fn rt_x(a: i64)\nextern fn rt_x(a: f64)\n")
    assert sffi("decls", str(clash)).returncode == 12
    assert sffi("decls").returncode == 3  # bad usage: 2 | 1
    assert "Traceback" not in sffi("decls", str(tmp_path / "nope.spl")).stderr


def test_check_clean_missing_and_unverified(tmp_path, alpha):
    manifest, archive = alpha
    proc = sffi("check", str(manifest.root), "--lib", str(archive))
    assert proc.returncode == 0, proc.stderr
    assert "1 of 1 declared externs exported" in proc.stdout
    assert "signatures: unverified" in proc.stdout  # built outside sffi's SCons build
    spl = manifest.declarations[0]
    spl.write_text(spl.read_text() + "extern fn rt_alpha_two(x: f64)\n")
    proc = sffi("check", str(manifest.root), "--lib", str(archive))
    assert proc.returncode == 12
    assert ":2:1: error: extern 'rt_alpha_two' is declared for library 'alpha'" in proc.stderr
    doc = json.loads(sffi("check", str(manifest.root), "--lib", str(archive), "--json").stdout)
    assert [(e["name"], e["exported"]) for e in doc["libraries"][0]["externs"]] == [
        ("rt_alpha_one", True), ("rt_alpha_two", False)]


def test_check_errors_are_one_line(tmp_path, alpha):
    manifest, _ = alpha
    junk = tmp_path / "junk.a"
    junk.write_bytes(b"!<arch>\nthis is not a member header")
    proc = sffi("check", str(manifest.root), "--lib", str(junk))
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    proc = sffi("check", str(manifest.root), "--build-dir", str(tmp_path / "nobuild"))
    assert proc.returncode == 1 and "no built artifact of library 'alpha'" in proc.stderr


def test_table_command_writes_c_and_json(tmp_path, alpha):
    manifest, _ = alpha
    out_c, out_json = tmp_path / "t.c", tmp_path / "t.json"
    proc = sffi("table", str(manifest.root), "--c", str(out_c), "--json", str(out_json))
    assert proc.returncode == 0, proc.stderr
    assert '{"rt_alpha_one", "alpha", "() -> i64"' in out_c.read_text()
    assert json.loads(out_json.read_text())["libraries"] == ["alpha"]


def test_decls_and_check_report_optionality_bindings_as_notes(tmp_path):
    manifest, archive = make_library(tmp_path, "beta", "extern fn rt_beta_name() -> text\n",
                                     "const char *rt_beta_name(void) { return \"b\"; }\n")
    again = manifest.root / "again.spl"
    again.write_text("extern fn rt_beta_name() -> text?\n")
    proc = sffi("decls", str(manifest.declarations[0]), str(again))
    assert proc.returncode == 0
    assert proc.stderr == (f"{again}:1:1: note: 'rt_beta_name' declared -> text? here binds to -> text at "
                           f"{manifest.declarations[0]}:1:1 (only optionality differs; safe: that result is never "
                           "nil where this one allows it)\n")
    doc = json.loads(sffi("decls", "--json", str(manifest.declarations[0]), str(again)).stdout)
    assert [d["severity"] for d in doc["diagnostics"]] == ["note"]
    toml = manifest.root / "sffi.toml"
    toml.write_text(toml.read_text().replace('declarations = ["beta.spl"]', 'declarations = ["beta.spl", "again.spl"]'))
    proc = sffi("check", str(manifest.root), "--lib", str(archive))
    assert proc.returncode == 0, proc.stderr
    assert f"{again}:1:1: note: 'rt_beta_name' declared -> text? here binds to -> text" in proc.stderr
    doc = json.loads(sffi("check", str(manifest.root), "--lib", str(archive), "--json").stdout)
    assert doc["libraries"][0]["warnings"] == [] and len(doc["libraries"][0]["notes"]) == 1
