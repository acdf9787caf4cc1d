#!/usr/bin/env python3
"""The import graphs of ``site_scons/`` (Python) and ``runtime/src`` (C), read from the code,
the layer rule they must follow, and ``docs/architecture.md`` drawn from them.

Usage:
    python scripts/archgraph.py            # print docs/architecture.md as it should read
    python scripts/archgraph.py --write    # rewrite docs/architecture.md
    python scripts/archgraph.py --check    # exit 1 when docs/architecture.md is not current, or
                                           # when site_scons/ breaks the layer rule, or runtime/src's
                                           # units include each other in a circle (each problem named)

The layer table (:data:`LAYERS`) is the one place that says which part of ``site_scons/sffi``
lies on which layer (issue 25): a module may import modules of its own layer or of a lower one,
never of a higher one, and no chain of imports may come back to where it started. Every
import counts, also one inside a function (a lazy import is still a dependency).

``runtime/src`` follows the same rule without a table: its units (a ``.c`` file with its ``.h``)
include each other so that no chain of includes comes back to where it started
(:func:`c_problems`), so its graph, too, points only down.
tests/sffi/test_layers.py runs :func:`problems`, :func:`c_problems` and :func:`render` against the tree.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site_scons"
RUNTIME_SRC = ROOT / "runtime" / "src"
DOC = ROOT / "docs" / "architecture.md"

#: Bottom to top: (layer name, the module prefixes on it, what it holds). A module's layer is
#: that of its longest matching prefix (``sffi.plan.kinds`` -> ``sffi.plan``).
LAYERS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("base", ("sffi.abi", "sffi.errors", "sffi.version"),
     "the ABI's type table, errors and exit-status bits, the version"),
    ("inputs", ("sffi.decls", "sffi.symbols", "sffi.manifest", "sffi.selection", "sffi.toolchain"),
     "what a build reads: declarations, symbols of ELF files, manifests, --with, dependencies found"),
    ("facts", ("sffi.dwarf", "sffi.table", "sffi.check", "sffi.hostkit", "sffi.module_table",
               "sffi.hardening"),
     "what is derived from the inputs: DWARF prototypes, tables, checks, host kits, hardening"),
    ("plan", ("sffi.plan", "sffi.signatures"),
     "the build graph and its layout (and what reads a build through the layout)"),
    ("report", ("sffi.report",),
     "reports over built trees: layers, diff, the matrix"),
    ("front", ("sffi.commands", "sffi.cli", "sffi.__main__", "sffi.scons_tool", "sffi", "sffi.tools"),
     "front ends: the sffi command, the SCons tools (the package itself is the `sffi` SCons tool)"),
)


def module_name(path: Path, site: Path = SITE) -> str:
    """``site_scons/sffi/plan/kinds.py`` -> ``sffi.plan.kinds``; a package's ``__init__.py`` -> the package."""
    parts = list(path.relative_to(site).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def python_modules(site: Path = SITE) -> dict[str, Path]:
    """Every module of ``site/sffi`` (its SCons tools included: ``sffi.tools``): dotted name -> file. A C extension
    (a ``.c`` file defining ``PyInit_<name>``, as ``sffi.symbols._symtab``) is a module too: it
    imports nothing of ours, but importing it must not count as importing its package."""
    files = sorted((site / "sffi").rglob("*.py"))
    out = {module_name(p, site): p for p in files}
    for c in sorted((site / "sffi").rglob("*.c")):
        if f"PyInit_{c.stem}" in c.read_text(encoding="utf-8", errors="replace"):
            out[module_name(c, site)] = c
    return out


def _resolve(name: str, known: dict) -> str | None:
    """The module of ours that importing ``name`` loads last (``sffi.plan.kinds`` or, for an
    attribute ``sffi.plan.kinds.of``, its module); None outside site_scons."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(name: str, path: Path, known: dict) -> set[str]:
    """The modules of ours that module ``name`` imports anywhere in its file (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found = {_resolve(a.name, known) for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found = {_from_import(base, a.name, known) for a in node.names}
        else:
            continue
        out |= {m for m in found if m and m != name}
    return out


def _from_import(base: str, alias: str, known: dict) -> str | None:
    """``from base import alias``: the module ``base.alias`` when it is one, else ``base``'s module."""
    return f"{base}.{alias}" if f"{base}.{alias}" in known else _resolve(base, known)


def python_graph(site: Path = SITE) -> dict[str, set[str]]:
    """module -> the modules of ours it imports, for every module under ``site``."""
    known = python_modules(site)
    return {name: imports_of(name, path, known) if path.suffix == ".py" else set() for name, path in known.items()}


def layer_of(module: str) -> int:
    """The index in :data:`LAYERS` of a module's layer.

    Raises:
        KeyError: no layer lists a prefix of the module (add it to LAYERS).
    """
    best, index = -1, None
    for i, (_, prefixes, _) in enumerate(LAYERS):
        for prefix in prefixes:
            # the root package "sffi" (the SCons tool entry) is itself alone, not every sffi.* module
            inside = module.startswith(prefix + ".") and prefix != "sffi"
            if (module == prefix or inside) and len(prefix) > best:
                best, index = len(prefix), i
    if index is None:
        raise KeyError(module)
    return index


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted, sorted."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):  # recursion depth is bounded by the module count (~100)
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def unit_of(module: str) -> str:
    """The part a module belongs to: ``sffi.plan.kinds`` -> ``sffi.plan``; ``sffi.check`` -> itself."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "sffi" else parts[0]


def problems(graph: dict[str, set[str]] | None = None) -> list[str]:
    """Every breach of the layer rule, one line each: a module on no layer, an upward import,
    a circle between modules or between parts (packages and top-level modules)."""
    graph = python_graph() if graph is None else graph
    out = []
    for module in sorted(graph):
        try:
            layer_of(module)
        except KeyError:
            out.append(f"{module}: on no layer: add it to LAYERS in scripts/archgraph.py")
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            try:
                low, high = layer_of(module), layer_of(target)
            except KeyError:
                continue
            if high > low:
                out.append(f"{module} (layer {LAYERS[low][0]}) imports {target} (layer {LAYERS[high][0]}): "
                           "an upward import; move the shared piece down or pass it in")
    out += [f"import circle: {' -> '.join(c)}" for c in cycles(graph)]
    units = _units(graph)
    out += [f"import circle between parts: {' -> '.join(c)}" for c in cycles(units)]
    return out


def _units(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    units: dict[str, set[str]] = {}
    for module, targets in graph.items():
        src = unit_of(module)
        units.setdefault(src, set()).update(u for u in map(unit_of, targets) if u != src)
    return units


_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def c_graph(src: Path = RUNTIME_SRC) -> dict[str, set[str]]:
    """``runtime/src``: file stem -> the stems of the runtime's own headers it includes
    (``eval.c`` including ``value.h`` is ``eval -> value``; a header and its source are one unit)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(p for p in src.iterdir() if p.suffix in (".c", ".h")):
        stem = path.stem
        includes = {Path(h).stem for h in _INCLUDE.findall(path.read_text(encoding="utf-8"))
                    if (src / h).is_file()}
        graph.setdefault(stem, set()).update(i for i in includes if i != stem)
    return graph


def c_problems(cgraph: dict[str, set[str]] | None = None) -> list[str]:
    """Every circle among the runtime's units (each unit: a ``.c`` and its ``.h``), one line each
    naming its units; empty when the unit graph points only down. ``cgraph`` defaults to
    :func:`c_graph` of ``runtime/src``."""
    cgraph = c_graph() if cgraph is None else cgraph
    return [f"include circle among runtime units: {' -> '.join(c)}: move the piece both need into a "
            "lower unit (or a new one of its own) so that one side no longer includes the other"
            for c in cycles(cgraph)]


def _mermaid(graph: dict[str, set[str]], label=lambda n: n) -> list[str]:
    ids = {n: f"n{i}" for i, n in enumerate(sorted(graph))}
    lines = ["```mermaid", "graph TD"]
    lines += [f"  {ids[n]}[\"{label(n)}\"]" for n in sorted(graph)]
    lines += [f"  {ids[a]} --> {ids[b]}" for a in sorted(graph) for b in sorted(graph[a]) if b in ids]
    return lines + ["```"]


def _edge_table(graph: dict[str, set[str]], layered: bool) -> list[str]:
    head = "| module | layer | imports |" if layered else "| file | includes |"
    lines = [head, "|---|---|---|" if layered else "|---|---|"]
    for name in sorted(graph):
        deps = ", ".join(f"`{d}`" for d in sorted(graph[name])) or "—"
        lines.append(f"| `{name}` | {LAYERS[layer_of(name)][0]} | {deps} |" if layered else f"| `{name}` | {deps} |")
    return lines


def render(graph: dict[str, set[str]] | None = None, cgraph: dict[str, set[str]] | None = None) -> str:
    """``docs/architecture.md`` as the code says it should read."""
    graph = python_graph() if graph is None else graph
    cgraph = c_graph() if cgraph is None else cgraph
    units = _units(graph)
    out = ["# Architecture", "",
           "<!-- Generated by scripts/archgraph.py from the code; do not edit: run "
           "`python scripts/archgraph.py --write`. tests/sffi/test_layers.py checks it is current. -->", "",
           "## Layers of `site_scons/`", "",
           "Each module imports only modules of its own layer or of the layers below it, and no chain of",
           "imports comes back to where it started (`scripts/archgraph.py --check`). Bottom to top:", "",
           "| layer | parts | what it holds |", "|---|---|---|"]
    out += [f"| {name} | {', '.join(f'`{p}`' for p in prefixes)} | {what} |" for name, prefixes, what in LAYERS]
    out += ["", "## Parts of `site_scons/` and their imports", "",
            "A part is a package (`sffi.plan`) or a top-level module (`sffi.check`); an arrow is an import.", ""]
    out += _mermaid(units, lambda u: f"{u} ({LAYERS[layer_of(u)][0]})")
    out += ["", "## Every module of `site_scons/` and what it imports", ""]
    out += _edge_table(graph, layered=True)
    out += ["", "## `runtime/src`: which file includes which of the runtime's headers", "",
            "A unit is a `.c` file with its `.h`; an arrow is an `#include \"x.h\"`. No chain of",
            "includes comes back to where it started (`scripts/archgraph.py --check`).", ""]
    out += _mermaid(cgraph)
    out += ["", *_edge_table(cgraph, layered=False)]
    circles = cycles(cgraph)
    out += ["", "Circles among the runtime's units: " +
            ("; ".join(" -> ".join(c) for c in circles) if circles else "none."), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite docs/architecture.md")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when docs/architecture.md is stale or the layer rule is broken")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        DOC.write_text(text, encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)}")
        return 0
    if args.check:
        found = problems() + c_problems()
        if not DOC.is_file() or DOC.read_text(encoding="utf-8") != text:
            found.append(f"{DOC.relative_to(ROOT)} is not current: run python scripts/archgraph.py --write")
        for line in found:
            print(line, file=sys.stderr)
        return 1 if found else 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
