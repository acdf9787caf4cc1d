"""The layers of site_scons/ (issue 25): imports only point down, no circles, the kind of a
library named in sffi.plan.kinds alone; no circle of includes among runtime/src's units; and
docs/architecture.md drawn from the code.

The layer table and the import walker live in scripts/archgraph.py (one place); these tests
run them on the real tree, and on small made-up trees to show that a breach is caught.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("archgraph", ROOT / "scripts" / "archgraph.py")
archgraph = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(archgraph)


def test_site_scons_imports_only_point_down_and_have_no_circle():
    assert archgraph.problems() == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_an_upward_import_is_named(tmp_path):
    site = _tree(tmp_path, {"sffi/__init__.py": "", "sffi/check.py": "def f():\n    from sffi.plan import kinds\n",
                            "sffi/plan/__init__.py": "", "sffi/plan/kinds.py": "X = 1\n"})
    found = archgraph.problems(archgraph.python_graph(site))
    assert found == ["sffi.check (layer facts) imports sffi.plan.kinds (layer plan): an upward import; "
                     "move the shared piece down or pass it in"]


def test_a_circle_is_named_also_through_relative_and_lazy_imports(tmp_path):
    site = _tree(tmp_path, {"sffi/__init__.py": "", "sffi/symbols/__init__.py": "",
                            "sffi/symbols/elf.py": "from . import reference\n",
                            "sffi/symbols/reference.py": "def g():\n    from sffi.symbols.elf import one_line\n"})
    found = archgraph.problems(archgraph.python_graph(site))
    assert found == ["import circle: sffi.symbols.elf -> sffi.symbols.reference"]


def test_every_name_of_a_from_import_counts(tmp_path):
    site = _tree(tmp_path, {"sffi/__init__.py": "", "sffi/abi.py": "", "sffi/errors.py": "",
                            "sffi/table.py": "from sffi import abi, errors\n"})
    assert archgraph.python_graph(site)["sffi.table"] == {"sffi.abi", "sffi.errors"}


def test_a_module_on_no_layer_is_named(tmp_path):
    site = _tree(tmp_path, {"sffi/__init__.py": "", "sffi/newthing.py": ""})
    assert archgraph.problems(archgraph.python_graph(site)) == [
        "sffi.newthing: on no layer: add it to LAYERS in scripts/archgraph.py"]


def test_runtime_units_include_each_other_without_a_circle():
    assert archgraph.c_problems() == []


def test_a_circle_among_runtime_units_is_named(tmp_path):
    # value.c including ast.h while ast.h includes value.h: the circle this rule was made for;
    # util is below both and a header of runtime/include (sffi_table.h) is no unit of runtime/src
    src = _tree(tmp_path, {"util.h": "", "value.h": '#include "util.h"\n',
                           "value.c": '#include "value.h"\n#  include "ast.h"\n',
                           "ast.h": '#include "sffi_table.h"\n#include "value.h"\n', "ast.c": '#include "ast.h"\n'})
    graph = archgraph.c_graph(src)
    assert graph == {"util": set(), "value": {"util", "ast"}, "ast": {"value"}}
    assert archgraph.c_problems(graph) == [
        "include circle among runtime units: ast -> value: move the piece both need into a lower unit "
        "(or a new one of its own) so that one side no longer includes the other"]
    (src / "value.c").write_text('#include "value.h"\n')
    assert archgraph.c_problems(archgraph.c_graph(src)) == []


def test_docs_architecture_is_generated_from_the_code():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "archgraph.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    text = (ROOT / "docs" / "architecture.md").read_text()
    assert "| `sffi.plan.planner` | plan |" in text and "`sffi.plan.kinds`" in text
    assert "| `eval` |" in text  # runtime/src is drawn too


#: literals that name a library kind (or the C++ driver as a kind would) and must stay in sffi.plan.kinds
KIND_WORDS = {"cargo", "c++", "cxx"}
#: (module, literal) pairs that name a program or an SCons tool, not a library's kind
NOT_A_KIND = {("sffi.plan.sconsgraph", "c++"), ("sffi.plan.sconsgraph", "cargo"),
              ("sffi.tools.cargo", "cargo"), ("sffi.scons_tool", "cargo")}


def _kind_literals(name: str, path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    hits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if node.value in KIND_WORDS and (name, node.value) not in NOT_A_KIND:
                hits.append(f"{where}:{node.lineno}: {node.value!r}")
        sides = [node.left, *node.comparators] if isinstance(node, ast.Compare) else []
        if any(isinstance(s, ast.Attribute) and s.attr == "kind" for s in sides) and any(
                isinstance(s, ast.Constant) and s.value in KIND_WORDS | {"c"} for s in sides):
            hits.append(f"{where}:{node.lineno}: compares .kind (ask sffi.plan.kinds.of)")
    return hits


def test_the_kind_of_a_library_is_decided_in_plan_kinds_alone():
    hits = []
    for name, path in archgraph.python_modules().items():
        if path.suffix == ".py" and name != "sffi.plan.kinds":
            hits += _kind_literals(name, path)
    assert hits == []


@pytest.mark.parametrize("source", ['if m.kind == "cargo":\n    pass\n', 'KINDS = ("cargo", "c", "cxx")\n'])
def test_the_kind_check_catches_a_kind_named_elsewhere(tmp_path, source):
    path = tmp_path / "probe.py"
    path.write_text(source)
    assert _kind_literals("sffi.probe", path)
