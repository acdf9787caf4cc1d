"""The lexer never reads past the end of the source (found by the runtime_lex fuzz target).

A `\\` that ended the input inside a text inside an interpolation (`print "{"\\`)
made lex_interpolation step over the backslash and then over the end of the
buffer twice: an ASan heap-buffer-overflow. With `simple -e` the buffer is the
text exactly, so an over-read there is an ASan report; from a file the buffer
has a NUL after the text, which hid it.

The ASan test runs every prefix of scripts full of escapes, braces and nested
texts, so each place where the lexer advances past a backslash, a quote or a
brace meets the end of the input at least once.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from goldenlib import SANITIZER_ENV, SANITIZER_ERROR

#: Scripts whose prefixes end on every kind of character the text and interpolation lexers treat specially.
SCRIPTS = [
    'print "a{"b\\"c{1}\\{"}d\\n{"\\\\"}\\}"\n',
    'val x = "{"{"{1}"}"}" + "\\t{"q\\\\"}"\n',
    'print "{ "\\"" + "}" }"\n',
]


def run_e(runtime: Path, code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(runtime), "-e", code], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, **(env or {})))


@pytest.mark.parametrize(("code", "col"), [
    ('print "{"\\', 9),
    ('print "{"a\\', 9),
    ('print "a{"\\"\\', 10),
    ('print "{"a', 9),
])
def test_text_cut_off_inside_an_interpolation_is_an_unterminated_text(runtime, code, col):
    proc = run_e(runtime, code)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"-e:1:{col}: unterminated text: missing closing '\"'\n"), proc.stderr


def test_escaped_quote_inside_an_interpolated_text_still_works(runtime):
    proc = run_e(runtime, 'print "<{"\\"x" + "\\\\"}>"')
    assert (proc.returncode, proc.stdout) == (0, '<"x\\>\n'), proc.stderr


def prefixes() -> list[str]:
    return sorted({script[:n] for script in SCRIPTS for n in range(1, len(script) + 1)})


@pytest.mark.slow
def test_no_prefix_reads_past_the_end_asan(simple_runtime_asan):
    bad = []
    for code in prefixes():
        proc = run_e(simple_runtime_asan, code, env=SANITIZER_ENV)
        if proc.returncode not in (0, 1, 2) or "Sanitizer" in proc.stderr:
            bad.append(f"{code!r}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    assert not bad, f"{len(bad)} of {len(prefixes())} prefixes failed (exit {SANITIZER_ERROR} is a sanitizer report):\n" \
        + "\n".join(bad[:5])
