"""Hostile sizes for the object model, lambdas and the newer operators (issue 22).

Each script is generated at a size that would overflow the C stack if the
construct were a recursion per element: a 300,000-operand `??` chain (one
node, evaluated in a loop), 100,000 calls in a row `f()()()...` (refused at
the nesting limit, like long index chains), 200,000 attribute lines and
200,000 `pub` words (parsed in loops), a linked list of 300,000 class
instances freed at the end (the release loop is iterative), and a ring of
class instances freed by the cycle breaker (valgrind checks that nothing
leaks). A subprocess timeout (TIMEOUT_S) far above the second each takes
catches a hang without being a timing test.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from goldenlib import VALGRIND_ARGS

TIMEOUT_S = 30
VALGRIND = shutil.which("valgrind")


def run(runtime: Path, source: str, tmp_path: Path, wrapper: list[str] = ()) -> subprocess.CompletedProcess:
    script = tmp_path / "big.spl"
    script.write_text(source, encoding="utf-8")
    return subprocess.run([*wrapper, str(runtime), str(script)], capture_output=True, text=True,
                          timeout=TIMEOUT_S * (10 if wrapper else 1), cwd=tmp_path)


def test_long_coalesce_chain(runtime, tmp_path):
    proc = run(runtime, "val x = nil\nprint " + "x ?? " * 300_000 + "7\n", tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "7\n", "")


def test_long_call_chain_is_refused_at_the_nesting_limit(runtime, tmp_path):
    proc = run(runtime, "fn f():\n    return f\nprint f" + "()" * 100_000 + "\n", tmp_path)
    assert proc.returncode == 2
    assert "big.spl:3:" in proc.stderr and "expression nested too deeply (more than 256 levels)" in proc.stderr


def test_many_attribute_lines_and_pub_words(runtime, tmp_path):
    source = ("@always_inline\n" * 200_000 + "fn f() -> i64:\n    1\n"
              "class C:\n    " + "pub " * 200_000 + "x: i64\nprint f() + C(x: 2).x\n")
    proc = run(runtime, source, tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "3\n", "")


LIST = """class Node:
    value: i64
    next: Node?

var head = nil
for i in 0..{n}:
    head = Node(value: i, next: head)
var total = 0
var cur = head
while cur != nil:
    total += cur.value
    cur = cur.next
print total
"""


def test_long_linked_list_of_instances_is_freed(runtime, tmp_path):
    n = 300_000
    proc = run(runtime, LIST.format(n=n), tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"{n * (n - 1) // 2}\n", "")


RING = """class Node:
    next: Node?
    items: [Node]

val first = Node(next: nil, items: [])
var last = first
for i in 0..{n}:
    val node = Node(next: nil, items: [last])
    last.next = node
    last = node
last.next = first
print "ring"
"""


@pytest.mark.skipif(VALGRIND is None, reason="valgrind is not installed (scripts/bootstrap --with=all installs it)")
def test_ring_of_instances_is_freed_under_valgrind(runtime, tmp_path):
    proc = run(runtime, RING.format(n=2_000), tmp_path, [VALGRIND, *VALGRIND_ARGS])
    assert (proc.returncode, proc.stdout) == (0, "ring\n"), proc.stderr[-3000:]
