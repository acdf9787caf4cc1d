"""Hostile sizes for the reference runtime (issue 17 items 1, 4 and 5).

Each script is generated at a size that broke the runtime before: 500,000
binary operators in one chain (a SIGSEGV: the tree was as deep as the chain),
200,000 globals, 150,000 functions or 200,000 locals (quadratic name lookup:
minutes), interpolation nested 100,000 deep (quadratic re-lexing: half a
minute). The fixed runtime takes about a second for each on a loaded 2-core
machine; the subprocess timeout (TIMEOUT_S) is far above that and far below
what the quadratic code needed, so these tests fail on a regression without
being timing tests. Timed figures belong in scripts/bench/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from goldenlib import SANITIZER_ENV, VALGRIND_ARGS

CHAIN = 500_000
TIMEOUT_S = 30
VALGRIND = shutil.which("valgrind")


def run(runtime: Path, source: str, tmp_path: Path, wrapper: list[str] = (),
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    script = tmp_path / "big.spl"
    script.write_text(source, encoding="utf-8")
    return subprocess.run([*wrapper, str(runtime), str(script)], capture_output=True, text=True,
                          timeout=TIMEOUT_S * (10 if wrapper else 1), env=dict(os.environ, **(env or {})))


def chain(operand: str, op: str, n: int = CHAIN) -> str:
    return f" {op} ".join([operand] * (n + 1))


@pytest.mark.parametrize(("expr", "expected", "in_main"), [
    (chain("1", "+"), str(CHAIN + 1), False),
    (chain("1", "+"), str(CHAIN + 1), True),
    (chain("1", "*"), "1", False),
    (chain("1", "-"), str(1 - CHAIN), False),
    (chain("true", "and"), "true", True),
    (chain('"ab"', "+"), "ab" * (CHAIN + 1), True),
], ids=["add", "add-in-main", "mul", "sub", "and-in-main", "text-in-main"])
def test_long_operator_chain_runs(runtime, tmp_path, expr, expected, in_main):
    source = f"fn main():\n    print {expr}\n" if in_main else f"print {expr}\n"
    proc = run(runtime, source, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout == expected + "\n"


def test_chain_errors_name_the_operator(runtime, tmp_path):
    """A type error deep inside a long chain points at its operator, as in a short one."""
    terms = ["1"] * 1000 + ['"x"'] + ["1"] * 1000
    proc = run(runtime, "val n = " + " + ".join(terms) + "\n", tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{tmp_path / 'big.spl'}:1:{9 + 4 * 1000 - 2}: error: cannot apply '+' to int and text")


@pytest.mark.parametrize("suffix", ["[0]", ".pop()"], ids=["index", "method"])
def test_long_postfix_chain_is_a_clean_error(runtime, tmp_path, suffix):
    proc = run(runtime, "var a = [[1]]\nprint a" + suffix * CHAIN + "\n", tmp_path)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "expression nested too deeply (more than 256 levels)" in proc.stderr


def test_many_globals_load_in_linear_time(runtime, tmp_path):
    n = 200_000
    source = "".join(f"var v{i} = {i}\n" for i in range(n)) + f"v0 = v{n - 1} + 1\nprint v0\n"
    proc = run(runtime, source, tmp_path)
    assert (proc.returncode, proc.stdout) == (0, f"{n}\n"), proc.stderr[-2000:]


def test_many_functions_load_in_linear_time(runtime, tmp_path):
    n = 150_000
    defs = "".join(f"fn f{i}(x):\n    return x + {i}\n" for i in range(n))
    calls = "".join(f"print f{i}(1)\n" for i in range(0, n, n // 3))
    proc = run(runtime, defs + calls, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == [str(1 + i) for i in range(0, n, n // 3)]


def test_many_locals_load_in_linear_time(runtime, tmp_path):
    n = 200_000
    body = "".join(f"    var v{i} = {i}\n" for i in range(n))
    proc = run(runtime, f"fn main():\n{body}    if true:\n        val v0 = v{n - 1}\n        print v0\n    print v0\n",
               tmp_path)
    assert (proc.returncode, proc.stdout) == (0, f"{n - 1}\n0\n"), proc.stderr[-2000:]


def test_duplicate_local_still_reported(runtime, tmp_path):
    proc = run(runtime, "fn main():\n    var a = 1\n    if true:\n        var a = 2\n    var b = 3\n    var a = 4\n",
               tmp_path)
    assert proc.returncode == 2
    assert ":6:5: 'a' is already declared in this block (line 2)" in proc.stderr


def nested_interpolation(depth: int) -> str:
    """"{"{1}"}" for depth 2."""
    return '"{' * depth + "1" + '}"' * depth


@pytest.mark.parametrize("depth", [300, 100_000])
def test_deep_interpolation_is_a_clean_error_in_linear_time(runtime, tmp_path, depth):
    proc = run(runtime, f"print {nested_interpolation(depth)}\n", tmp_path)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "nested too deeply (more than 256 levels)" in proc.stderr


def test_interpolation_within_the_limit_runs(runtime, tmp_path):
    proc = run(runtime, f"print {nested_interpolation(100)}\n", tmp_path)
    assert (proc.returncode, proc.stdout) == (0, "1\n"), proc.stderr[-2000:]


BAD_EXTERN = "extern fn rt_env_get(name: bogus) -> text\n"


@pytest.mark.slow
def test_parse_error_in_extern_frees_everything_asan(simple_runtime_asan, tmp_path):
    """Issue 17 item 5: the parameter name before a bad type leaked, so LeakSanitizer turned status 2 into 98."""
    proc = run(simple_runtime_asan, BAD_EXTERN, tmp_path, env=SANITIZER_ENV)
    assert proc.returncode == 2, proc.stderr[-4000:]
    assert "bogus" in proc.stderr


@pytest.mark.skipif(VALGRIND is None, reason="valgrind is not installed")
def test_parse_error_in_extern_frees_everything_valgrind(runtime, tmp_path):
    proc = run(runtime, BAD_EXTERN, tmp_path, wrapper=[VALGRIND, *VALGRIND_ARGS])
    assert proc.returncode == 2, proc.stderr[-4000:]
