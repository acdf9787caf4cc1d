"""Errors quote the script's own bytes escaped (issue 24 item 5).

An error message shows the file's name and the offending source line. Both come from a
file, so a control character in them (an ESC starting a terminal escape sequence, a BEL,
a C1 control) is printed as `\\xHH`, like every other text the runtime prints from a file;
the caret still points at the column, four columns per escaped byte.
"""

from __future__ import annotations

import subprocess

ESC, BEL = "\x1b", "\x07"


def run(runtime, path):
    return subprocess.run([str(runtime), str(path)], capture_output=True, text=True, timeout=60)


def test_control_characters_in_the_quoted_line_are_escaped(runtime, tmp_path):
    path = tmp_path / "colour.spl"
    path.write_text(f'val t = "{ESC}]0;owned{BEL}"\nprint "{ESC}[1m" + 1  # {ESC}[2J\n', encoding="utf-8")
    proc = run(runtime, path)
    assert proc.returncode == 1, proc.stderr
    assert ESC not in proc.stderr and BEL not in proc.stderr, repr(proc.stderr)
    assert proc.stderr.splitlines() == [
        f"{path}:2:14: error: cannot apply '+' to text and int",
        '    print "\\x1b[1m" + 1  # \\x1b[2J',
        "                    ^",  # under the '+': 4 columns of margin, then 13 characters, one of them 4 wide
    ]


def test_control_characters_in_the_file_name_are_escaped(runtime, tmp_path):
    path = tmp_path / f"name{ESC}[5m.spl"
    path.write_text("print 1 + true\n", encoding="utf-8")
    proc = run(runtime, path)
    assert proc.returncode == 1, proc.stderr
    assert ESC not in proc.stderr
    assert proc.stderr.startswith(f"{tmp_path}/name\\x1b[5m.spl:1:9: error: ")


def test_a_message_keeps_its_own_lines(runtime, tmp_path):
    """Escaping works per line: a multi-line message (the unknown-extern hint) keeps its newlines."""
    path = tmp_path / "hint.spl"
    path.write_text("extern fn rt_not_in_any_library() -> i64\nprint rt_not_in_any_library()\n", encoding="utf-8")
    proc = run(runtime, path)
    assert proc.returncode != 0
    assert "\\x0a" not in proc.stderr and len(proc.stderr.splitlines()) >= 3, proc.stderr
