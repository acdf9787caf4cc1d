"""SCons tool `sffi_matrix`: the nodes of `scons matrix` (sffi.report.matrix_run and
sffi.report.matrix do the work).

Builders added to the environment:

* ``SffiSmoke(smoke.json, [program, ...], SFFI_SMOKES=[Smoke], SFFI_ROOT=dir, SFFI_MATRIX_RUN=id,
  SFFI_MODULES=[module file])``: run a selection's smoke scripts with its runtime (and its
  modules' directories on the search path) and record each result; a failing script is
  recorded, it does not fail the node (the report does);
* ``SffiMeasure(measure.json, [program, sffi_table.json], SFFI_MATRIX_RUN=id, SFFI_MODULE_PROBES=[...])``:
  binary size, externs and start-up time of a runtime, and each module's load time;
* ``SffiMatrixReport([report.txt, .md, .json, .html], results, SFFI_MATRIX_PLAN=[entry],
  SFFI_MATRIX_INFO={...}, SFFI_MATRIX_RUN=id)``: the matrix report; written
  first, then the node fails when a selection failed or a required library
  was unavailable.

Each result file carries the id of the scons run that wrote it, so a report
never mixes in results of an earlier run.
"""

from __future__ import annotations

import os
from pathlib import Path

import SCons.Action

from sffi.plan.actions import fail, quiet, write_json
from sffi.errors import EXIT_ERROR


def _smoke_action(target, source, env):
    from sffi.report import matrix_run
    out = Path(str(target[0]))
    results = matrix_run.run_smokes(str(source[0]), env["SFFI_SMOKES"], env["SFFI_ROOT"], out.parent / "smoke",
                                    env.get("SFFI_MODULES") or [])
    for r in results:
        verdict = "passed" if r["passed"] else f"FAILED ({r['detail']})"
        print(f"  SMOKE   {os.path.relpath(str(source[0]))} {r['name']}: {verdict}, {r['seconds']:.2f} s")
    write_json(out, {"run": env["SFFI_MATRIX_RUN"], "program": str(source[0]), "smokes": results})


def _measure_action(target, source, env):
    from sffi.report import matrix_run
    probes = env.get("SFFI_MODULE_PROBES") or []
    data = matrix_run.measure_runtime(str(source[0]), str(source[1]), modules=[p["module"] for p in probes])
    print(f"  MEASURE {os.path.relpath(str(source[0]))}: {data['binary_size']} bytes, "
          f"start-up {data['startup_ms']} ms, {data['externs']} externs, sha256 {data['sha256']}")
    data["module_loads"] = matrix_run.measure_modules(str(source[0]), probes, Path(str(target[0])).parent / "probe")
    for m in data["module_loads"]:
        print(f"  MEASURE {os.path.relpath(m['module'])}: load {m['load_ms']} ms ({m['probe']})")
    write_json(target[0], {"run": env["SFFI_MATRIX_RUN"], **data})


def _report_action(target, source, env):
    from sffi.report import matrix
    report = matrix.publish(env["SFFI_MATRIX_PLAN"], env["SFFI_MATRIX_INFO"], env["SFFI_MATRIX_RUN"],
                            Path(str(target[0])).parent)
    if report.status & EXIT_ERROR:
        bad = [r["name"] for r in report.data["selections"] if r["status"] in ("failed", "not-built")]
        fail(f"matrix: selection(s) failed or not built: {', '.join(bad)} "
             f"(report: {os.path.relpath(str(target[0]))})")


def generate(env):
    """Add SffiSmoke, SffiMeasure and SffiMatrixReport (see the module docstring) to ``env``."""
    act = SCons.Action.Action
    env.Append(BUILDERS={
        "SffiSmoke": env.Builder(action=act(_smoke_action, None)),
        "SffiMeasure": env.Builder(action=act(_measure_action, None)),
        "SffiMatrixReport": env.Builder(action=act(_report_action, quiet("REPORT"))),
    })


def exists(env):
    """Always available: the toolkit is pure Python."""
    return True
