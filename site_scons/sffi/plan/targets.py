"""The command-line targets (``runtime``, ``ffi``, ``report``, ``matrix``) over a materialized
plan, and the hooks that run when SCons is done (the runtime's name, the matrix report
after a failed build, which the caller passes in: the report layer lies above the plan)."""

from __future__ import annotations

import atexit
from typing import Callable

from SCons.Script import BUILD_TARGETS, GetBuildFailures, GetOption

from sffi.plan.layout import BUILD_ROOT, INSTALLED


def runtime_aliases(planner, sel) -> dict[str, list[str]]:
    """Plan ``runtime`` (the runtime copied to build/bin/simple), ``ffi`` (the checks) and
    ``report`` for the --with selection ``sel``; returns alias -> targets for :func:`define`."""
    installed = planner.install(sel)
    return {"ffi": sel.checks, "report": [*planner.report(sel), installed], "runtime": [installed, sel.audit]}


def matrix_aliases(planner, plan, after_failure: Callable[[list[tuple[str, str]]], object]) -> dict[str, list[str]]:
    """``matrix``: the matrix report; when the build fails before the report node ran, calls
    ``after_failure(failures)`` at the end of the run with ``(node path, error text)`` per failed
    node (SConstruct passes sffi.report.matrix.publish_after_failure: the report is written anyway)."""
    atexit.register(_after_failure, plan, after_failure)
    return {"matrix": plan.report}


def define(env, aliases: dict[str, list[str]]) -> None:
    """The aliases, after the plan is materialized; ``runtime`` is the default and ``scons -c``
    of ``runtime`` or ``matrix`` removes ``build/``. (``env``'s methods, not SCons.Script's
    globals, which would make SCons's default environment.)"""
    for name, targets in aliases.items():
        env.Alias(name, targets)
    if "runtime" in aliases:
        env.Default("runtime")
    for name in ("runtime", "matrix"):
        if name in aliases:
            env.Clean(name, [BUILD_ROOT])


def _after_failure(plan, after_failure) -> None:
    report = set(plan.report)
    failures = [f for f in GetBuildFailures() if str(f.node) not in report]
    if not failures or len(failures) < len(GetBuildFailures()) or GetOption("clean") or GetOption("help"):
        return  # no failure, or the report node ran and failed itself (it wrote the report first)
    after_failure([(str(f.node), f.errstr or "") for f in failures])


def announce_runtime(sel, variant: str) -> None:
    """Name the runtime this build produced (also when it was up to date)."""
    wanted = {str(t) for t in BUILD_TARGETS}
    if GetBuildFailures() or GetOption("clean") or GetOption("help") or not wanted & {"runtime", INSTALLED}:
        return
    print("\n".join(runtime_lines(sel, variant)))


def runtime_lines(sel, variant: str) -> list[str]:
    """The lines that name the runtime of selection ``sel`` at the end of a build."""
    return [f"runtime: {sel.program} (libraries: {', '.join(sel.libraries)}; mode: {variant})",
            "         build/bin/simple is this runtime"]


def record_uptodate(env, root: str, digest: str, sel, variant: str, extra: list[str]) -> None:
    """At exit: after a build in which every node of ``runtime`` was built or up to date, write the
    up-to-date record of the invocation ``digest`` (sffi.plan.uptodate), with ``extra`` paths (the
    toolkit's code, the manifests); else remove it."""
    from sffi.plan import sconsgraph, uptodate

    paths = None if GetBuildFailures() else sconsgraph.recorded_paths(env, env.Alias("runtime"))
    if paths is None:
        uptodate.forget(root, digest)
        uptodate.explain("no record: the build failed or did not finish")
        return
    paths.update(extra)
    uptodate.explain(uptodate.write(root, digest, paths, runtime_lines(sel, variant)))
