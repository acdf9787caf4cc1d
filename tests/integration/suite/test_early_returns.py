"""No test returns early: a ``return`` in a test function ends it as a pass on a branch
that no summary line shows (the CUDA half of a torch test, the static half of a
pkg-config test did). A test that cannot check something here skips with a reason
(which CI judges, tests/cipolicy.py) or is split in two.

Read from the source with :mod:`ast`: every ``test_*`` function or method of every
``tests/**/test_*.py``, a ``return`` anywhere in its body except inside a nested
function, lambda or class (helpers defined in a test may return).
"""

from __future__ import annotations

import ast
from pathlib import Path

from buildhelp import ROOT

TEST_FILES = sorted((ROOT / "tests").glob("**/test_*.py"))


def _returns(node: ast.AST):
    """The ``return`` statements of ``node``'s body, not those of nested scopes."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Return):
            yield child
        elif not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            yield from _returns(child)


def early_returns(source: str, filename: str) -> list[str]:
    """``"FILE:LINE: test NAME returns early"`` for each ``return`` in a test function of ``source``.

    Raises SyntaxError (with ``filename``) when ``source`` is not Python.
    """
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            found += [f"{filename}:{r.lineno}: test {node.name} returns early" for r in _returns(node)]
    return found


def test_no_test_of_the_suite_returns_early():
    assert len(TEST_FILES) > 50
    found = [line for path in TEST_FILES
             for line in early_returns(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert not found, "\n".join(found) + "\nskip with a reason, or split the test in two"


def test_a_planted_early_return_is_found():
    source = '''
def helper():
    return 1

def test_branch(flag):
    if flag:
        return
    assert helper() == 1

class TestThing:
    def test_method(self):
        def inner():
            return 2          # a nested helper may return
        for x in range(3):
            if x:
                return None
        assert inner() == 2
'''
    assert early_returns(source, "t.py") == ["t.py:7: test test_branch returns early",
                                             "t.py:16: test test_method returns early"]
