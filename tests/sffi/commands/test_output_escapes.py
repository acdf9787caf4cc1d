"""What `sffi` prints from a file carries no terminal escape sequences (issue 24 item 5).

A real object whose symbol name holds ESC and CSI sequences (its string table
patched in place): `sffi symbols` shows them as ``\\x1b`` escapes in its table,
and as JSON escapes with ``--json``. (`sffi inspect` on a module with such a
section: tests/sffi/test_module_table.py.)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

NAME = b"sffi_escape_probe_one"
HOSTILE = b"\x1b]0;pw\x07\x1b[2J_probe_one"  # as long as NAME
CC = shutil.which("cc") or shutil.which("gcc")


@pytest.fixture
def hostile_object(tmp_path):
    if CC is None:
        pytest.skip("no C compiler")
    src = tmp_path / "p.c"
    src.write_text(f"int {NAME.decode()}(void) {{ return 1; }}\n")
    obj = tmp_path / "p.o"
    subprocess.run([CC, "-c", src, "-o", obj], check=True)
    data = obj.read_bytes()
    assert len(NAME) == len(HOSTILE) and data.count(b"\0" + NAME + b"\0") == 1
    obj.write_bytes(data.replace(b"\0" + NAME + b"\0", b"\0" + HOSTILE + b"\0"))
    return obj


def sffi(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sffi", *map(str, args)], capture_output=True, text=True)


def test_symbols_table_escapes_control_characters(hostile_object):
    proc = sffi("symbols", hostile_object)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    assert "\\x1b]0;pw\\x07\\x1b[2J_probe_one" in proc.stdout


def test_symbols_json_keeps_the_name_escaped_as_json(hostile_object):
    proc = sffi("symbols", "--json", hostile_object)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout
    names = [s["name"] for f in json.loads(proc.stdout)["files"] for s in f["symbols"]]
    assert HOSTILE.decode() in names
