"""The misuse sweep (misuse.py) over real runtimes, and checks that it can fail.

Release runtime with every library (--with=all): every extern of the table,
each hostile value of each parameter, each script in a fork of one started
runtime (forkserver.c: libtorch's start-up once, not 1,000 times). Under ASan + UBSan (debug build), core
and sqlite only. What that instruments (``-fsanitize=address,undefined``, sffi.plan.sconsgraph):
the C that SCons compiles, i.e. the runtime (interpreter, marshalling, the generated table's
thunks) and the core library. It does not instrument the sqlite Rust crate (stable rustc has no
``-Zsanitizer``) nor the system's libsqlite3 (Debian's build): their own out-of-bounds accesses
go unseen. What the sweep still catches in them: their heap goes through ASan's malloc, so a
double or invalid free and a leak (LeakSanitizer) are reported, and so is any bad access the
instrumented runtime makes to what they return (text, slices, tuples). torch and OpenCV are
large C++ libraries built without the sanitizer, and linking them into an ASan runtime takes
minutes here while adding little. The ABI
test runtime (tests/abiruntime.py) under ASan + UBSan: its libraries take every
parameter type of ABI v2, which the project's libraries do not all use yet.
Each sweep covers 100% of its table; the number of calls made is printed on
the terminal.
"""

from __future__ import annotations

import stat
import sys
import tomllib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import misuse  # noqa: E402

import abiruntime  # noqa: E402
from sffi import abi  # noqa: E402
from sffi.decls import Declaration, Param, parse_text  # noqa: E402


def _run_sweep(runtime: Path, capsys, only=None, preload=None, decl_files=None) -> misuse.Report:
    """Sweeps ``runtime`` and asserts no failure and 100% of its table's externs (of ``only``) swept."""
    report = misuse.sweep(runtime, only, preload=preload, decl_files=decl_files)
    names = [lib for lib in misuse.table_libs(runtime) if not only or lib in only]
    with capsys.disabled():
        print("\n" + report.summary(runtime, names))
    assert not report.failures, "\n\n".join(misuse.describe(f) for f in report.failures[:20])
    assert not report.lost, ("handle kinds with only made-up handles, not optional in recipes.toml: "
                             + "; ".join(f"{k}: {why}" for k, why in sorted(report.lost.items())))
    assert not report.uncovered, f"externs in the table without a declaration: {report.uncovered}"
    assert not report.skipped, f"externs skipped by parameter type: {dict(report.skipped)}"
    table = [e["name"] for e in misuse.table_externs(runtime) if e["library"] in names]
    assert report.externs == len(table) > 0, "every extern of the table is swept"
    assert report.calls > report.externs
    return report


@pytest.mark.slow
def test_sweep_release_every_library(build_runtime, capsys):
    runtime = build_runtime("all")
    preload = misuse.build_forkserver(misuse.ROOT / "build" / "sweep")  # one start-up of libtorch
    _run_sweep(runtime, capsys, preload=preload)


@pytest.mark.slow
def test_sweep_asan_core_and_sqlite(build_runtime, capsys):
    _run_sweep(build_runtime("sqlite", mode="debug", sanitize=True), capsys, ["core", "sqlite"])


@pytest.mark.slow
def test_sweep_asan_every_abi_type(tmp_path_factory, capsys):
    """Every parameter type of ABI v2 (the ABI test libraries), under ASan + UBSan."""
    out = tmp_path_factory.mktemp("abi-sweep")
    runtime = abiruntime.build(out / "simple", abiruntime.ASAN, abiruntime.build_abirs(out))
    report = _run_sweep(runtime, capsys, ["abitest", "abirs"], decl_files=abiruntime.DECL_FILES)
    swept = {p.type for lib in misuse.libraries(runtime, ["abitest", "abirs"], abiruntime.DECL_FILES)
             for d in lib.decls.values() for p in d.params}
    assert swept == set(abi.TYPES), f"parameter types the ABI test libraries do not take: {set(abi.TYPES) - swept}"
    assert report.errors > 0


def _fake_runtime(tmp_path: Path, body: str) -> Path:
    """A 'runtime' that lists one extern and runs ``body`` (sh) for a script."""
    path = tmp_path / "fake-simple"
    path.write_text("#!/bin/sh\nif [ \"$1\" = --externs ]; then\n"
                    "  echo '{\"externs\": [{\"name\": \"rt_demo_get\", \"library\": \"demo\"}]}'; exit 0\nfi\n"
                    + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def _demo_library() -> misuse.Library:
    decls, _ = parse_text("extern fn rt_demo_get(h: i64, name: text) -> f64\n", "demo.spl")
    decls.append(Declaration("rt_demo_bytes", (Param("b", "[u8]"),), "i64", "demo.spl", 2, 1))  # ABI v2
    recipe = {"kinds": {"thing": {"make": "rt_demo_get(0, \"\")", "free": "rt_demo_get", "params": ["h"]}}}
    return misuse.Library("demo", {d.name: d for d in decls}, recipe, {"rt_demo_get", "rt_demo_bytes"})


@pytest.mark.parametrize("body, verdict", [
    ("kill -SEGV $$", "crash (signal 11)"),
    ("echo 'sweep.spl:1:1: error: something failed' >&2; exit 1", "setup failed"),
    ("exit 3", "crash (exit 3)"),
    ("echo '==1==ERROR: AddressSanitizer: heap-use-after-free' >&2; exit 1", "crash (exit 1)"),
])
def test_judge_reports_failures(tmp_path, body, verdict):
    lib = _demo_library()
    calls = misuse.Generator(lib).calls(lib.decls["rt_demo_get"])
    outcomes = misuse.Runner(_fake_runtime(tmp_path, body), lib.decls).run(calls)
    assert outcomes[0].kind.startswith(verdict), outcomes[0]


def test_judge_wants_the_extern_named(tmp_path):
    lib = _demo_library()
    call = misuse.Generator(lib).calls(lib.decls["rt_demo_get"])[1]  # h=0: no setup line
    script, ends = misuse.script([call], lib.decls)
    runtime = _fake_runtime(tmp_path, f"echo 'sweep.spl:{ends[0]}:1: error: it failed' >&2; exit 1")
    assert misuse.Runner(runtime, lib.decls).run([call])[0].kind == "error not naming the extern"


def test_judge_reads_the_message_not_the_echoed_source_line(tmp_path):
    """The real runtime echoes the failing line under its message (runtime/src/diag.c): the call,
    so the extern's name is always on stderr. Planted: a message that does not name it."""
    lib = _demo_library()
    call = misuse.Generator(lib).calls(lib.decls["rt_demo_get"])[1]  # h=0: no setup line
    script, ends = misuse.script([call], lib.decls)
    echo = f"echo 'sweep.spl:{ends[0]}:1: error: it failed' >&2; echo '    {call.line}' >&2; echo '    ^' >&2"
    runtime = _fake_runtime(tmp_path, echo + "; exit 1")
    assert misuse.Runner(runtime, lib.decls).run([call])[0].kind == "error not naming the extern"
    named = echo.replace("error: it failed", "error: rt_demo_get: invalid handle 0")
    assert misuse.Runner(_fake_runtime(tmp_path, named + "; exit 1"), lib.decls).run([call])[0].kind == "error"


def _kind_library(make: str, free: str, optional: bool | None) -> misuse.Library:
    """The demo library with one handle kind whose recipe is ``make``/``free`` (and ``optional``)."""
    lib = _demo_library()
    lib.kinds = {"thing": {"make": make, "free": free, "params": ["h"],
                           **({} if optional is None else {"optional": optional})}}
    return lib


@pytest.mark.parametrize("optional", [None, False, True])
def test_a_recipe_naming_a_missing_extern_is_lost(tmp_path, optional):
    """A renamed extern in recipes.toml (planted: rt_demo_open is declared nowhere) loses the kind,
    optional or not: the sweep would otherwise pass on made-up handles only."""
    lib = _kind_library('rt_demo_open("x")', "rt_demo_get", optional)
    misuse.probe_kinds(lib, misuse.Runner(_fake_runtime(tmp_path, "exit 0"), lib.decls))
    assert misuse.lost_kinds(lib) == {"thing": "recipes.toml names undeclared externs ['rt_demo_open']"}


@pytest.mark.parametrize("optional, lost", [(None, True), (False, True), (True, False)])
def test_a_handle_that_cannot_be_made_is_lost_unless_optional(tmp_path, optional, lost):
    """Making the handle fails on this (fake) runtime: lost unless recipes.toml says optional = true."""
    lib = _kind_library('rt_demo_get(0, "")', "rt_demo_get", optional)
    failing = _fake_runtime(tmp_path, "echo 'sweep.spl:2:1: error: rt_demo_get: no device' >&2; exit 1")
    misuse.probe_kinds(lib, misuse.Runner(failing, lib.decls))
    assert lib.unavailable == {"thing": "making one fails here: rt_demo_get: no device"}
    assert misuse.lost_kinds(lib) == ({"thing": "making one fails here: rt_demo_get: no device"} if lost else {})


def test_the_recipes_optional_flags_are_booleans():
    """lost_kinds reads ``optional`` as a truth value: a string such as "false" would pass for true."""
    recipes = tomllib.loads(misuse.RECIPES.read_text())
    flags = {f"{lib}.{kind}": spec["optional"] for lib, r in recipes.items()
             for kind, spec in r.get("kinds", {}).items() if "optional" in spec}
    assert flags and all(isinstance(v, bool) for v in flags.values()), flags


def test_generator_covers_each_parameter():
    lib = _demo_library()
    gen = misuse.Generator(lib)
    whats = [c.what for c in gen.calls(lib.decls["rt_demo_get"])]
    assert whats == ["baseline", "h=0", "h=-1", "h=2^62", "h=2^63-1", "h=freed",
                     "name=empty", "name=1MiB"]
    calls = gen.calls(lib.decls["rt_demo_bytes"])
    assert [(c.what, c.refuse) for c in calls] == [
        ("baseline", None), ("b=empty", None), ("b=1M", None), ("b=[-1]", "b"), ("b=[max+1]", "b")]
    assert not gen.skipped
    unknown = Declaration("rt_demo_future", (Param("x", "u128"),), None, "demo.spl", 3, 1)
    assert gen.calls(unknown) == [] and gen.skipped == {"u128": 1}


def test_every_abi_parameter_type_has_values():
    """A type added to sffi.abi without sweep values would skip its externs: it must be added here too."""
    assert set(misuse.HOSTILE) == set(misuse.BENIGN) == set(abi.TYPES)
    for spelling, scalar in abi.SCALARS.items():
        if scalar.kind == "int" and spelling != "i64":
            values = misuse.HOSTILE[spelling]
            edges = {scalar.lo, min(scalar.hi, (1 << 63) - 1)} | ({scalar.lo - 1} if scalar.signed else {-1})
            assert edges <= {int(v) for v in values.values()}, spelling
            assert {int(values[n]) for n in misuse.REFUSED[spelling]} == \
                {v for v in (scalar.lo - 1, scalar.hi + 1, -1) if not scalar.lo <= v <= scalar.hi and abs(v) < 1 << 63}


@pytest.mark.parametrize("body, verdict", [
    ("exit 0", "accepted an out-of-range value for 'b'"),
    ("echo \"sweep.spl:$(wc -l < sweep.spl):1: error: rt_demo_bytes failed\" >&2; exit 1",
     "error not naming the parameter 'b'"),
    ("echo \"sweep.spl:$(wc -l < sweep.spl):1: error: rt_demo_bytes: argument 1 ('b') element 1 is 256\" >&2; "
     "exit 1", "error"),
])
def test_judge_wants_out_of_range_refused(tmp_path, body, verdict):
    lib = _demo_library()
    call = next(c for c in misuse.Generator(lib).calls(lib.decls["rt_demo_bytes"]) if c.what == "b=[max+1]")
    assert misuse.Runner(_fake_runtime(tmp_path, body), lib.decls).run([call])[0].kind == verdict
