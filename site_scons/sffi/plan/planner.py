"""The planner: the steps that build, check, tabulate, link and audit each selection.

Graph per selection (each step a node): library archives (a :mod:`kind <sffi.plan.kinds>`
strategy each) -> export check per library -> clash check + extern table ->
runtime link (a :mod:`linkage <sffi.plan.linkage>` strategy) -> audit ->
``build/bin/simple``. Libraries, their checks and the runtime's own objects are
planned once and shared by every selection of the run (``scons matrix`` plans
several). The planner only plans (:class:`sffi.plan.graph_model.Graph`); it
compiles nothing, and its steps can be read without SCons.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

from sffi import selection as selection_mod
from sffi.plan import kinds
from sffi.plan.deps import Dependencies
from sffi.plan.graph_model import EnvSpec, Graph, Step
from sffi.plan.layout import Layout, report_paths
from sffi.plan.linkage import LINKAGES, LinkLine


@dataclasses.dataclass
class SelectionPlan:
    """The planned nodes of one selection's runtime, under ``build/<variant>/sel/<name>/``.

    ``checks``: its libraries' check records (and the Rust signature check stamp);
    ``artifacts``: library -> the artifact its check scans; ``link``: the runtime's link line.
    A plan of the libraries alone (:meth:`Planner.libraries`, no runtime) has ``program`` and
    ``audit`` None and the libraries' link line (their archives and system settings).
    """

    libraries: list
    directory: str
    checks: list
    artifacts: dict
    table_c: str
    table_json: str
    program: str | None
    audit: str | None
    link: LinkLine


class Planner:
    """Plans selections into one graph, each library and check once.

    Args:
        known: every library, name -> sffi.manifest.Manifest (sffi.manifest.discover).
        layout: the variant's build layout.
        dependencies: the detection of external dependencies (once per build).
        root: the project root (where ``runtime/src`` is), for the runtime's sources.
        linkage: the name of the runtime's linkage strategy (sffi.plan.linkage.LINKAGES): ``static``.
    """

    def __init__(self, known: dict, layout: Layout, dependencies: Dependencies, root: str | Path,
                 linkage: str = "static"):
        self.known, self.layout, self.deps, self.root = known, layout, dependencies, Path(root)
        self.linkage = LINKAGES[linkage]
        self.graph = Graph()
        self._memo: dict = {}
        self._artifacts: dict[str, str] = {}

    def once(self, key, make: Callable):
        """``make()`` the first time ``key`` is asked for, the same value after."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def dependencies(self, m) -> list:
        """The Found settings of one library's external dependencies."""
        return self.deps.found(m)

    def artifact(self, library: str) -> str | None:
        """The artifact the check of ``library`` scans, once planned (else None)."""
        return self._artifacts.get(library)

    def check(self, m, artifact: str) -> str:
        """The export check of one library, planned once, on the first artifact planned for it."""
        self._artifacts.setdefault(m.name, artifact)
        record = self.layout.check(m.name)
        self.graph.add(Step("SffiCheck", [record], [self._artifacts[m.name], str(m.path), *map(str, m.declarations)],
                            vars={"SFFI_MANIFEST": m}))
        return record

    def runtime_objects(self) -> list[str]:
        """The runtime's own objects (``runtime/src/*.c``), shared by every selection."""
        return self.once("runtime", self._plan_runtime_objects)

    def _plan_runtime_objects(self) -> list[str]:
        objects = []
        # A switch over sffi_type that misses a type of sffi.abi is an error, not a warning:
        # the runtime's marshalling switches exhaustively, without a default (runtime/src/marshal.c).
        env = self.graph.env("runtime", EnvSpec(append={"CCFLAGS": ["-Werror=switch"]}))
        for src in sorted((self.root / "runtime" / "src").glob("*.c")):
            rel = src.relative_to(self.root).as_posix()
            obj = self.layout.runtime_object(rel) + ".o"
            self.graph.add(Step("StaticObject", [obj], [rel], env=env))
            objects.append(obj)
        return objects

    def selection(self, names: list[str]) -> SelectionPlan:
        """Every node of one selection's runtime (core included in ``names``), planned once."""
        directory = self.layout.sel_dir(selection_mod.variant_name(names))
        return self.once(("selection", directory), lambda: self._plan_selection(list(names), directory))

    def libraries(self, names: list[str]) -> SelectionPlan:
        """The libraries ``names``, their checks and their extern table, without a runtime (a
        project that only wants a host kit), planned once, in ``sel/<a+b>``; ``program`` and
        ``audit`` are None."""
        directory = self.layout.sel_dir("+".join(sorted(names)))
        return self.once(("libraries", directory), lambda: self._plan_libraries(list(names), directory))

    def _plan_libraries(self, names: list[str], directory: str) -> SelectionPlan:
        manifests, built, checks, table_c, table_json = self._plan_tables(names, directory)
        line = self.linkage.line(self, manifests, built)
        return SelectionPlan(names, directory, checks, {n: self._artifacts[n] for n in names},
                             table_c, table_json, None, None, line)

    def _plan_tables(self, names: list[str], directory: str) -> tuple:
        """The libraries' builds, their checks and the table: (manifests, built, checks, table_c, table_json)."""
        manifests = [self.known[n] for n in names]
        built = []
        for kind in kinds.KINDS.values():  # in KINDS order: the link order of the libraries
            built += kind.plan(self, [m for m in manifests if kinds.of(m) is kind], self.linkage)
        for b in built:
            for lib, artifact in b.artifacts.items():
                self._artifacts.setdefault(lib, artifact)
        checks = [self.check(m, self._artifacts[m.name]) for m in manifests]
        checks += [c for b in built for c in b.checks if c not in checks]
        table_c, table_json = f"{directory}/sffi_table.c", f"{directory}/sffi_table.json"
        self.graph.add(Step("SffiTable", [table_c, table_json],
                            checks + [str(p) for m in self.known.values() for p in (m.path, *m.declarations)],
                            vars={"SFFI_SELECTION": names, "SFFI_KNOWN": self.known}))
        return manifests, built, checks, table_c, table_json

    def _plan_selection(self, names: list[str], directory: str) -> SelectionPlan:
        manifests, built, checks, table_c, table_json = self._plan_tables(names, directory)
        program, line = self.linkage.link(self, directory, manifests, built, table_c)
        audit = f"{directory}/audit.txt"
        self.graph.add(Step("SffiAudit", [audit], [program, table_json]))
        return SelectionPlan(names, directory, checks, {n: self._artifacts[n] for n in names},
                             table_c, table_json, program, audit, line)

    def install(self, sel: SelectionPlan) -> str:
        """``build/bin/simple``: a copy of the selection's runtime, once it passed its audit."""
        self.graph.add(Step("SffiInstall", [self.layout.installed], [sel.program], depends=[sel.audit]))
        return self.layout.installed

    def report(self, sel: SelectionPlan) -> list[str]:
        """The selection's layered report, from the check records the build wrote (docs/reports.md)."""
        targets = [p.as_posix() for p in report_paths(sel.directory)]
        self.graph.add(Step("SffiReport", targets,
                            [sel.table_json, sel.audit, *sel.checks, *(sel.artifacts[n] for n in sel.libraries)],
                            vars={"SFFI_KNOWN": self.known}))
        return targets
