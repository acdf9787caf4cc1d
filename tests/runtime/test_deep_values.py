"""Values nested millions deep (issue 24 item 1).

`a = [a]` in a loop builds an array 3,000,000 levels deep in a few lines. Every
walk over values must survive it: equality (`==`, `!=`) once recursed per level
and ended in SIGSEGV (status 139), under ASan already at 1,000,000 levels;
freeing, printing and passing such a value along must not crash either. Each
script prints what it compared, so a wrong answer fails as surely as a crash.
The same scripts run on the ASan/UBSan build (`slow`), where a stack overflow or
a leak is a report.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from goldenlib import SANITIZER_ENV

DEPTH = 3_000_000
ASAN_DEPTH = 1_000_000  # where the ASan build failed (issue 24); deeper only costs time there
ASAN_SCRIPTS = ["equal", "differ-at-the-bottom", "tuples", "free-on-reassign"]
TIMEOUT_S = 120


def nest(name: str, leaf: str, depth: int = DEPTH, wrap: str = "[{}]") -> str:
    """Statements that make `name` `leaf` wrapped `depth` times in `wrap`."""
    return (f"var {name} = {leaf}\nvar i{name} = 0\nwhile i{name} < {depth}:\n"
            f"    {name} = {wrap.format(name)}\n    i{name} = i{name} + 1\n")


# the value kinds of the language (lang): a struct compares field by field, a Result by its kind then
# its payload, a class instance by identity; equality walks fields and payloads without recursion
KINDS = "struct Box:\n    v: any\nclass Cell:\n    v: i64\nval c = Cell(1)\n"

# (name, script, expected stdout)
SCRIPTS = [
    ("equal", nest("a", "1") + nest("b", "1") + "print a == b\nprint a != b\n", "true\nfalse\n"),
    ("differ-at-the-bottom", nest("a", "1") + nest("b", "2") + "print a == b\nprint a != b\n", "false\ntrue\n"),
    ("int-equals-float-at-the-bottom", nest("a", "1") + nest("b", "1.0") + "print a == b\n", "true\n"),
    ("differ-in-length-at-the-bottom", nest("a", "[1]") + nest("b", "[1, 2]") + "print a == b\n", "false\n"),
    ("tuples", nest("a", "1", wrap="({}, 2)") + nest("b", "1", wrap="({}, 2)") + "print a == b\n", "true\n"),
    ("mixed", nest("a", "1", wrap="[({}, [0])]") + nest("b", "1", wrap="[({}, [0])]") + "print a == b\n",
     "true\n"),
    ("same-value", nest("a", "1") + "val b = a\nprint b == a\n", "true\n"),
    ("print", nest("a", "7", depth=1000) + "print len(\"{a}\") > 0\n", "true\n"),
    ("free-on-reassign", nest("a", "1") + "a = 0\nprint a\n", "0\n"),
    ("in-array-literal", nest("a", "1") + nest("b", "1") + "print [a, 1] == [b, 1]\n", "true\n"),
    ("structs-and-results", KINDS + nest("a", "Box(c)", wrap="Box(Ok([{}]))") + nest("b", "Box(c)", wrap="Box(Ok([{}]))")
     + "print a == b\nprint a == Box(Err([b]))\n", "true\nfalse\n"),
    ("class-instances-at-the-bottom", KINDS + nest("a", "Cell(1)", wrap="Ok(Box({}))")
     + nest("b", "Cell(1)", wrap="Ok(Box({}))") + "print a == b\nprint a != b\n", "false\ntrue\n"),
]


def script_for(name: str, depth: int = DEPTH) -> str:
    source = {n: s for n, s, _ in SCRIPTS}[name]
    return source.replace(f"< {DEPTH}:", f"< {depth}:")


def run(runtime: Path, name: str, tmp_path: Path, env: dict[str, str] | None = None,
        depth: int = DEPTH) -> subprocess.CompletedProcess:
    script = tmp_path / f"{name}.spl"
    script.write_text(script_for(name, depth), encoding="utf-8")
    return subprocess.run([str(runtime), str(script)], capture_output=True, text=True, timeout=TIMEOUT_S,
                          env=dict(os.environ, **(env or {})))


@pytest.mark.parametrize(("name", "expected"), [(n, e) for n, _, e in SCRIPTS], ids=[n for n, _, _ in SCRIPTS])
def test_deep_value(runtime, tmp_path, name, expected):
    proc = run(runtime, name, tmp_path)
    assert proc.returncode == 0, f"status {proc.returncode}\n{proc.stderr[-2000:]}"
    assert proc.stdout == expected


@pytest.mark.slow
@pytest.mark.parametrize(("name", "expected"), [(n, e) for n, _, e in SCRIPTS if n in ASAN_SCRIPTS],
                         ids=[n for n, _, _ in SCRIPTS if n in ASAN_SCRIPTS])
def test_deep_value_asan(simple_runtime_asan, tmp_path, name, expected):
    proc = run(simple_runtime_asan, name, tmp_path, env=SANITIZER_ENV, depth=ASAN_DEPTH)
    assert proc.returncode == 0, f"status {proc.returncode}\n{proc.stderr[-4000:]}"
    assert proc.stdout == expected
