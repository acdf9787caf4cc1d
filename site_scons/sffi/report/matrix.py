"""The report of ``scons matrix``, and the CI job matrix of a matrix file.

Format of the report's JSON schema and the CI workflow: docs/matrix.md. The
matrix file is read by sffi.report.matrix_file, the smoke runs and measurements
are made by sffi.report.matrix_run.

* :func:`sffi.plan.matrix_plan.plan_entry` records what ``scons matrix`` plans for one selection;
* :func:`outcome` turns one selection's plan entry and result files into a row,
  :func:`matrix_report` the rows into a :class:`~sffi.report.model.Report`, and
  :func:`sffi.report.render.write_all` writes its four renderings (:func:`publish` does all three);
* ``python -m sffi.report.matrix --github-matrix matrix.toml`` prints the
  selections as the JSON that GitHub Actions' ``strategy.matrix`` reads.

Only the standard library is imported at module level (the CI plan job runs
this module without installing anything); :mod:`sffi.report.render` (tabulate)
is imported when a report is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sffi import selection as selection_mod
from sffi.plan import layout
from sffi.errors import EXIT_ERROR, EXIT_OK, EXIT_REVIEW, SffiError
from sffi.report.matrix_file import MatrixFile, load
from sffi.report.model import Report, Table

FORMAT = "sffi-matrix/1"


# ---------------------------------------------------------------------------- the report


def outcome(entry: dict, run: str, failure: str = "") -> dict:
    """One selection's row of the report, from its plan entry and its result files.

    Args:
        entry: from :func:`sffi.plan.matrix_plan.plan_entry`.
        run: the id of this ``scons`` run; result files written by another run are ignored.
        failure: why its build failed, when it did (the report after a failed build).

    Returns:
        The selection's JSON object in the report (docs/matrix.md): ``status`` is
        ``passed``, ``failed``, ``not-built`` (a required library is unavailable) or
        ``skipped`` (only optional libraries are unavailable).
    """
    row = {"name": entry["name"], "with": entry["with"], "libraries": entry["libraries"],
           "directory": entry["directory"], "missing": entry["missing"], "built": False, "reason": None,
           "externs": None, "binary_size": None, "startup_ms": None, "smokes": [], "sha256": None}

    # module selections (docs/matrix.md, "Module selections")
    row.update(results=entry.get("results", entry["directory"]), modules=entry.get("modules", []), module_loads=[])
    if entry["missing"]:
        required = [m for m in entry["missing"] if not m["optional"]]
        reasons = "; ".join(f"{m['library']}: {m['reason']}" for m in entry["missing"])
        return {**row, "status": "not-built" if required else "skipped", "reason": reasons}
    smokes, measured = _result(entry["smoke_file"], run), _result(entry["measure_file"], run)
    if smokes is None or measured is None:
        reason = failure or "not run: the build stopped at another failure (scons -k matrix builds the rest)"
        return {**row, "status": "failed", "reason": reason}
    row.update(built=True, externs=measured["externs"], binary_size=measured["binary_size"],
               startup_ms=measured["startup_ms"], smokes=smokes["smokes"], sha256=measured.get("sha256"))

    row["module_loads"] = measured.get("module_loads", [])
    bad = [s for s in row["smokes"] if not s["passed"]]
    if measured["probe"] != "ok":
        return {**row, "status": "failed", "reason": f"start-up probe failed: {measured['probe']}"}
    bad_loads = [m for m in row["module_loads"] if m["probe"] != "ok"]
    if bad_loads:
        return {**row, "status": "failed", "reason": "; ".join(
            f"module {m['library']} load probe failed: {m['probe']}" for m in bad_loads)}
    if bad:
        return {**row, "status": "failed",
                "reason": "; ".join(f"smoke {s['name']}: {s['detail']}" for s in bad)}
    return {**row, "status": "passed"}


def _result(path: str | None, run: str) -> dict | None:
    if path is None or not Path(path).is_file():
        return None
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data if data.get("run") == run else None


def failure_reasons(entries: list[dict], failures: list[tuple[str, str]], variant_dir: str) -> dict[str, str]:
    """Which selection each build failure belongs to, for the report written after a failed build.

    Args:
        entries: the plan entries.
        failures: ``(node path relative to the project root, error text)`` per failed node.
        variant_dir: ``build/<variant>``.

    Returns:
        Selection name -> ``"build failed at PATH: ERROR"`` (the first failure that is
        its own: in its directory, a library it selects, or the runtime's objects).
    """
    reasons: dict[str, str] = {}
    lay = layout.Layout.of_variant_dir(variant_dir)
    for entry in entries:
        owned = [entry["directory"] + "/", lay.runtime_dir + "/"]
        owned += [lay.lib_dir(lib) + "/" for lib in entry["libraries"]]
        owned += [lay.module_dir(lib) + "/" for lib in entry.get("modules", [])]
        for path, error in failures:
            if path.startswith(tuple(owned)) or set(lay.rust_set_of(path)) & {*entry["libraries"],
                                                                               *entry.get("modules", [])}:
                reasons[entry["name"]] = f"build failed at {path}: {error.strip()}"
                break
    return reasons


def matrix_report(rows: list[dict], info: dict) -> Report:
    """The matrix report.

    Args:
        rows: from :func:`outcome`, in matrix order.
        info: ``matrix_file`` (path as given), ``variant`` (``release``, ``debug-asan``, ...),
            ``only`` (the ``--matrix-only`` names, or empty) and ``strict`` (bool).

    Returns:
        A Report of kind ``sffi-matrix``: status bit 1 when a selection failed or
        was not built, else 4 when one was skipped, else 0.
    """
    summary = {s: sum(r["status"] == s for r in rows) for s in ("passed", "failed", "not-built", "skipped")}
    status = EXIT_ERROR if summary["failed"] or summary["not-built"] else EXIT_REVIEW if summary["skipped"] else EXIT_OK
    notes = [f"matrix file: {info['matrix_file']}; variant: {info['variant']}"]
    if info.get("only"):
        notes.append(f"only the selections {', '.join(info['only'])} (--matrix-only)")
    if info.get("strict"):
        notes.append("every library required (--matrix-strict)")
    notes += [f"{r['name']}: {r['status']}: {r['reason']}" for r in rows if r["reason"]]
    tables = [_selection_table(rows), _smoke_table(rows), _missing_table(rows), _digest_table(rows)]
    if any(r["modules"] for r in rows):
        tables.append(_module_load_table(rows))
    data = {"matrix_file": info["matrix_file"], "variant": info["variant"], "only": list(info.get("only") or []),
            "strict": bool(info.get("strict")), "selections": rows}
    return Report(kind="sffi-matrix", title=f"sffi matrix: {len(rows)} selections ({info['variant']})",
                  summary=summary, tables=tables, notes=notes, status=status, data=data)


def _selection_table(rows: list[dict]) -> Table:
    def cells(r):
        passed = sum(s["passed"] for s in r["smokes"])
        smoke = f"{passed}/{len(r['smokes'])} passed" if r["built"] else "-"
        num = lambda v: "-" if v is None else str(v)  # noqa: E731
        libraries = selection_mod.variant_name(r["libraries"]).replace("+", ",")  # core first
        return [r["name"], libraries, "yes" if r["built"] else "no", smoke, num(r["externs"]),
                num(r["binary_size"]), "-" if r["startup_ms"] is None else f"{r['startup_ms']:.1f}", r["status"]]
    return Table("selections", ["selection", "libraries", "built", "smoke", "externs", "binary size (bytes)",
                                "start-up (ms)", "status"], [cells(r) for r in rows], status_column=7)


def _digest_table(rows: list[dict]) -> Table:
    """The sha256 of each runtime built: two reproducible builds show the same (docs/reliability.md)."""
    body = [[r["name"], r["directory"] + "/simple", r["sha256"]] for r in rows if r.get("sha256")]
    return Table("runtimes", ["selection", "runtime", "sha256"], body)


def _smoke_table(rows: list[dict]) -> Table:
    body = [[r["name"], s["name"], " ".join([s["script"], *s["args"]]), f"{s['seconds']:.2f}",
             "passed" if s["passed"] else "failed", "" if s["passed"] else s["detail"]]
            for r in rows for s in r["smokes"]]
    return Table("smoke scripts", ["selection", "smoke", "command", "seconds", "result", "detail"], body,
                 status_column=4)


def _module_load_table(rows: list[dict]) -> Table:
    """Each module of each module selection: its load time as the runtime measured it."""
    ms = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
    body = [[r["name"], m["library"], m["module"], ms(m["load_ms"]), ms(m["dlopen_ms"]), ms(m["script_ms"]),
             "passed" if m["probe"] == "ok" else "failed"]
            for r in rows for m in r["module_loads"]]
    return Table("module load times", ["selection", "module", "file", "load (ms)", "of which dlopen (ms)",
                                       "script with one extern (ms)", "result"], body, status_column=6)


def _missing_table(rows: list[dict]) -> Table:
    seen: dict[str, list] = {}
    for r in rows:
        for m in r["missing"]:
            seen.setdefault(m["library"], [m, []])[1].append(r["name"])
    body = [[lib, "optional" if m["optional"] else "missing", ", ".join(names), m["reason"]]
            for lib, (m, names) in sorted(seen.items())]
    return Table("libraries not available here", ["library", "status", "selections", "reason"], body,
                 status_column=1)


def publish(plan: list[dict], info: dict, run: str, out_dir: str | Path,
            failures: dict[str, str] | None = None) -> Report:
    """The last step of ``scons matrix``: build the report from the plan and the result
    files, write its four files into ``out_dir`` and print the text rendering and their paths.

    Args:
        plan: the :func:`sffi.plan.matrix_plan.plan_entry` of each selection, in matrix order.
        info: as for :func:`matrix_report`.
        run: the id of this scons run (see :func:`outcome`).
        failures: selection name -> why its build failed (:func:`failure_reasons`).

    Returns:
        The Report; ``status & EXIT_ERROR`` means the run failed.
    """
    from sffi.report import render

    rows = [outcome(entry, run, (failures or {}).get(entry["name"], "")) for entry in plan]
    report = matrix_report(rows, info)
    paths = render.write_all(report, out_dir)
    print(render.render(report, "text"), end="")
    print(f"matrix report: {', '.join(str(p) for p in paths)}")
    return report


def publish_after_failure(plan, lay: layout.Layout, failures: list[tuple[str, str]]) -> Report:
    """The report of a ``scons matrix`` whose build failed before the report node ran: each
    selection whose build failed marked with its error (the CI artifact shows it).

    Args:
        plan: the run's sffi.plan.matrix_plan.MatrixPlan.
        lay: the variant's layout.
        failures: ``(node path, error text)`` per failed node (SCons's GetBuildFailures).
    """
    reasons = failure_reasons(plan.entries, failures, lay.variant_dir)
    return publish(plan.entries, plan.info, plan.run, lay.matrix_dir, reasons)


# ---------------------------------------------------------------------------- CI


def github_matrix(matrix: MatrixFile) -> dict:
    """The selections as GitHub Actions' ``strategy.matrix``: ``{"include": [{"name", "with",
    "bootstrap"}, ...]}``; ``bootstrap`` is what ``scripts/bootstrap --with=`` installs for it
    (the linked libraries and the modules, core left out; ``none`` for core alone)."""
    def bootstrap(s):
        return ",".join(n for n in s.usable if n != selection_mod.CORE) or "none"
    return {"include": [{"name": s.name, "with": s.with_, "bootstrap": bootstrap(s)} for s in matrix.selections]}


def main(argv: list[str] | None = None) -> int:
    """``python -m sffi.report.matrix --github-matrix FILE [--root DIR]``: print the CI job matrix.

    Returns the exit status: 0, or the SffiError's status after printing
    ``matrix: <message>`` to stderr.
    """
    parser = argparse.ArgumentParser(prog="python -m sffi.report.matrix",
                                     description="Print a matrix file's selections for GitHub Actions.")
    parser.add_argument("--github-matrix", metavar="FILE", required=True,
                        help="the matrix file; prints {\"include\": [{\"name\", \"with\"}, ...]} as one JSON line")
    parser.add_argument("--root", default=".", help="the project root holding ffi_libs/ (default: .)")
    args = parser.parse_args(argv)
    from sffi.manifest import discover

    try:
        known = list(discover(Path(args.root) / "ffi_libs"))
        matrix = load(args.github_matrix, known, args.root)
    except SffiError as exc:
        print(f"matrix: {exc}", file=sys.stderr)
        return exc.status
    print(json.dumps(github_matrix(matrix), separators=(",", ":")))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
