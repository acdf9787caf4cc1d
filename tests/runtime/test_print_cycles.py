"""Printing class instances that reach themselves (a doubly linked list, a parent link).

Printing once walked an instance's fields until the depth limit (100 levels), so a node
with two links back to itself (`next` and `prev`) printed 2^100 times over: the CI fuzz
run found it as a 30-second timeout (runtime_interp, format.c debug_object). An instance
met again inside itself now prints as `...`, where it is met; an instance reached twice
side by side (not inside itself) still prints in full both times. Each script's whole
output is compared.
"""

from __future__ import annotations

import subprocess

import pytest

TIMEOUT_S = 20  # a regression hangs for hours; a pass takes milliseconds

NODE = "class Node:\n    var name: text\n    var links: [Node]\n\n"

# (name, script, expected stdout)
SCRIPTS = [
    ("self-twice",
     NODE + 'var a = Node(name: "a", links: [])\na.links.push(a)\na.links.push(a)\nprint a\n',
     'Object { class: "Node", fields: {"name": Str("a"), "links": Array([..., ...])} }\n'),
    ("two-node-ring",
     NODE + 'var a = Node(name: "a", links: [])\nvar b = Node(name: "b", links: [a])\na.links.push(b)\n'
     'print a\n',
     'Object { class: "Node", fields: {"name": Str("a"), "links": Array([Object { class: "Node", '
     'fields: {"name": Str("b"), "links": Array([...])} }])} }\n'),
    ("shared-not-cyclic",
     NODE + 'var leaf = Node(name: "leaf", links: [])\nprint [leaf, leaf]\n',
     '[Object { class: "Node", fields: {"name": Str("leaf"), "links": Array([])} }, '
     'Object { class: "Node", fields: {"name": Str("leaf"), "links": Array([])} }]\n'),
    ("interpolated",
     NODE + 'var a = Node(name: "a", links: [])\na.links.push(a)\nval s = "{a}"\nprint s.len()\n',
     "75\n"),
]


@pytest.mark.parametrize(("name", "script", "expected"), SCRIPTS, ids=[n for n, _, _ in SCRIPTS])
def test_cyclic_instance_prints_once(runtime, tmp_path, name, script, expected):
    path = tmp_path / f"{name}.spl"
    path.write_text(script, encoding="utf-8")
    proc = subprocess.run([str(runtime), str(path)], capture_output=True, text=True, timeout=TIMEOUT_S)
    assert proc.returncode == 0, f"status {proc.returncode}\n{proc.stderr[-2000:]}"
    assert proc.stdout == expected
