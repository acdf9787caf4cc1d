"""``scons matrix`` planned (docs/matrix.md): each selection of the matrix file, its smokes,
its measurements, and the report over all of them."""

from __future__ import annotations

import dataclasses
import os

from sffi.plan.graph_model import Step
from sffi.plan import layout
from sffi.plan.layout import report_paths
from sffi.plan.modules import plan_module


@dataclasses.dataclass
class MatrixPlan:
    """``entries``: one plan entry per selection (:func:`plan_entry`); ``info``:
    what the report says about the run; ``report``: the report files; ``results``: the
    smoke and measure files (built on every run); ``run``: the id of this scons run."""

    entries: list
    info: dict
    report: list
    results: list
    run: str


def plan_entry(sel, directory: str, missing: list[dict], results: str | None = None) -> dict:
    """What ``scons matrix`` planned for one selection (the input of :func:`sffi.report.matrix.outcome`).

    Args:
        sel: the selection (sffi.report.matrix_file.Selection).
        directory: its runtime's build directory, ``build/<variant>/sel/<variant name>``.
        missing: ``{"library", "reason", "optional"}`` for each library that cannot
            be built here (empty: the selection is built).
        results: where its smoke and measure results go (default ``directory``; a
            selection with modules has its own, as its runtime is shared).
    """
    results = results or directory
    return {"name": sel.name, "with": sel.with_, "libraries": list(sel.libraries), "modules": list(sel.modules),
            "directory": directory, "results": results,
            "missing": missing, "smoke_file": None if missing else layout.smoke_file(results),
            "measure_file": None if missing else layout.measure_file(results)}


def unavailable(planner, names, matrix, strict: bool) -> list[dict]:
    """The libraries among ``names`` that cannot be built here: ``[{library, reason, optional}]``."""
    out = []
    for n in names:
        problems = planner.deps.problems(planner.known[n])
        if problems:
            out.append({"library": n, "reason": "; ".join(problems),
                        "optional": n in matrix.optional and not strict})
    return out


def results_dir(layout, sel) -> str:
    """Where a selection's results go: its runtime's directory, ``build/<variant>/sel/<core+a>``;
    for a selection with modules a directory inside it, ``.../sel/core/modules=sqlite+torch``
    (the runtime is shared with the selection that has no modules)."""
    directory = layout.sel_dir(sel.variant_name)
    return f"{directory}/modules={'+'.join(sel.modules)}" if sel.modules else directory


def module_probes(planner, sel) -> list[dict]:
    """Per module of ``sel``: what its load time is measured with (sffi.report.matrix_run.measure_modules):
    ``library``, ``module`` (the built file), ``declaration`` (the library's first extern by
    name, as one line of Simple; a library without externs has no probe). Plans each module:
    built, not installed."""
    from sffi import table

    probes = []
    for name in sel.modules:
        module = plan_module(planner, planner.known[name], install=False)[0]
        decls = table.library_decls(planner.known[name])[0].declarations
        if decls:  # a module without externs is never loaded: nothing to time
            first = decls[min(decls, key=str.encode)].source().removeprefix("pub ")
            probes.append({"library": name, "module": module, "declaration": first})
    return probes


def plan_selection(planner, sel, matrix, strict: bool, run: str) -> tuple[dict, list]:
    """One selection of the matrix: (its plan entry, its result files); no files when a
    library of it cannot be built here."""
    entry = plan_entry(sel, planner.layout.sel_dir(sel.variant_name),
                                  unavailable(planner, sel.usable, matrix, strict), results_dir(planner.layout, sel))
    if entry["missing"]:
        return entry, []
    build = planner.selection(list(sel.libraries))
    probes = module_probes(planner, sel)
    modules = [p["module"] for p in probes]
    smokes = matrix.smokes_for(sel.usable)
    scripts = [str(p) for s in smokes for p in (s.script, s.expected) if p]
    planner.graph.add(Step("SffiSmoke", [entry["smoke_file"]], [build.program, build.audit, *modules, *scripts],
                           vars={"SFFI_SMOKES": smokes, "SFFI_ROOT": str(planner.root), "SFFI_MATRIX_RUN": run,
                                 "SFFI_MODULES": modules},
                           always=True))
    # Not timed while its own smokes run, and one start-up timing at a time.
    planner.graph.add(Step("SffiMeasure", [entry["measure_file"]],
                           [build.program, build.table_json, build.audit, *modules],
                           vars={"SFFI_MATRIX_RUN": run, "SFFI_MODULE_PROBES": probes}, depends=[entry["smoke_file"]],
                           side_effects=[f"{planner.layout.matrix_dir}/.timing"], always=True))
    return entry, [entry["smoke_file"], entry["measure_file"]]


def plan_matrix(planner, matrix, selections: list, only: bool, strict: bool, run: str) -> MatrixPlan:
    """Every selection's runtime, smokes and measurements, then the report.

    Args:
        planner: the build's Planner (libraries shared with the --with selection).
        matrix: the loaded matrix file (sffi.report.matrix_file.MatrixFile).
        selections: the selections to build (all, or those of --matrix-only).
        only: --matrix-only was given.
        strict: --matrix-strict (an unavailable optional library fails the run).
        run: the id of this scons run (marks the result files it writes).
    """
    entries, results = [], []
    planner.deps.detect_all(list(dict.fromkeys(planner.known[n] for s in selections for n in s.usable)))
    for sel in selections:
        entry, files = plan_selection(planner, sel, matrix, strict, run)
        entries.append(entry)
        results += files
    root = str(planner.root)
    inside = str(matrix.path).startswith(root + os.sep)
    info = {"matrix_file": os.path.relpath(matrix.path, root) if inside else str(matrix.path),
            "variant": planner.layout.variant.name, "only": [s.name for s in selections] if only else [],
            "strict": strict}
    report = [p.as_posix() for p in report_paths(planner.layout.matrix_dir)]
    planner.graph.add(Step("SffiMatrixReport", report, [str(matrix.path), *results],
                           vars={"SFFI_MATRIX_PLAN": entries, "SFFI_MATRIX_INFO": info, "SFFI_MATRIX_RUN": run},
                           always=True))
    return MatrixPlan(entries, info, report, results, run)
