"""The build plan (sffi.plan) read as data: the steps, environments and link lines a
selection gets, without SCons and without a compiler.

Each test writes small libraries (manifests, declarations, source files that are
never compiled) into a temporary project and plans selections of them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sffi import toolchain
from sffi.plan import layout as layout_mod
from sffi.plan.deps import Dependencies
from sffi.plan.kinds import fingerprints
from sffi.plan.planner import Planner
from sffi.errors import SffiError
from sffi.manifest import discover

PLAN_PACKAGE = Path(__file__).resolve().parents[3] / "site_scons" / "sffi" / "plan"


def write_lib(root: Path, name: str, kind: str, *, sources=("src/a.c",), deps: str = "", link: str = "") -> None:
    """A library under root/ffi_libs/<name>: manifest, one declaration, its (never compiled) sources."""
    lib = root / "ffi_libs" / name
    (lib / "src").mkdir(parents=True)
    (lib / f"{name}.spl").write_text(f"extern fn rt_{name}_one() -> i64\n")
    if kind == "cargo":
        (lib / "Cargo.toml").write_text(f'[package]\nname = "{name}"\nversion = "0.1.0"\n\n'
                                        '[lib]\ncrate-type = ["staticlib", "rlib"]\npath = "src/lib.rs"\n')
        (lib / "src/lib.rs").write_text("// never compiled here\n")
        build = 'crate = "."\n'
    else:
        for src in sources:
            (lib / src).write_text("/* never compiled here */\n")
        build = f"sources = [{', '.join(repr(s.split('/')[0] + '/*' + Path(s).suffix) for s in sources[:1])}]\n"
    (lib / "sffi.toml").write_text(f'name = "{name}"\nprefix = "rt_{name}_"\nkind = "{kind}"\n'
                                   f'declarations = ["{name}.spl"]\n{build}{deps}{link}')


@pytest.fixture
def project(tmp_path) -> Path:
    """A project root with two runtime sources and the core library."""
    (tmp_path / "runtime/src").mkdir(parents=True)
    for name in ("main.c", "interp.c"):
        (tmp_path / "runtime/src" / name).write_text("/* runtime */\n")
    write_lib(tmp_path, "core", "c", sources=("src/env.c", "src/file.c"))
    return tmp_path


def fake_find(found: dict):
    """A toolchain.find stand-in: dependency name -> Found, else DependencyMissing."""
    def find(kind, name, prefer_static, install=""):
        if name in found:
            return found[name]
        raise toolchain.DependencyMissing(name, f"pkg-config: Package {name} was not found", install)
    return find


def planner_for(root: Path, found: dict | None = None) -> Planner:
    logged = []
    deps = Dependencies(fake_find(found or {}), log=logged.append)
    return Planner(discover(root / "ffi_libs"), layout_mod.Layout("release"), deps, root)


def only(steps):
    assert len(steps) == 1, steps
    return steps[0]


def test_core_only(project):
    planner = planner_for(project)
    sel = planner.selection(["core"])
    g = planner.graph
    assert sel.directory == "build/release/sel/core"
    archive = only(g.by_builder("StaticLibrary"))
    assert archive.targets == ["build/release/libs/core/libsffi_core.a"]
    assert archive.sources == ["build/release/libs/core/obj/src/env.o", "build/release/libs/core/obj/src/file.o"]
    for obj in archive.sources:
        step = g.producer(obj)
        assert step.builder == "StaticObject" and step.env == "lib:core"
        assert step.depends == ["build/release/libs/core/sffi_exports_core.h"]
    ccflags = g.envs["lib:core"].append["CCFLAGS"]
    assert ccflags[-2:] == ["-include", str(Path("build/release/libs/core/sffi_exports_core.h").absolute())]
    check = g.producer("build/release/libs/core/core.check.json")
    assert check.sources[0] == "build/release/libs/core/libsffi_core.a"
    assert sel.checks == ["build/release/libs/core/core.check.json"]
    assert sel.link.linker == "$CC" and sel.link.native_file is None
    assert sel.link.inputs == ["build/release/sel/core/sffi_table.o", "build/release/runtime/src/interp.o",
                               "build/release/runtime/src/main.o", "build/release/libs/core/libsffi_core.a"]
    assert sel.link.libs == ["m"] and sel.link.flags == ["-pthread"]
    assert g.producer(sel.program).builder == "Program"
    assert g.producer(sel.audit).sources == [sel.program, sel.table_json]
    assert not g.by_builder("CargoUmbrella")


def test_one_c_library(project):
    write_lib(project, "demo", "c")
    planner = planner_for(project)
    sel = planner.selection(["core", "demo"])
    g = planner.graph
    assert sel.directory == "build/release/sel/core+demo"
    assert [s.target for s in g.by_builder("StaticLibrary")] == [
        "build/release/libs/core/libsffi_core.a", "build/release/libs/demo/libsffi_demo.a"]
    table = g.producer(sel.table_json)
    assert table.vars["SFFI_SELECTION"] == ["core", "demo"]
    assert table.sources[:2] == sel.checks == ["build/release/libs/core/core.check.json",
                                               "build/release/libs/demo/demo.check.json"]
    assert sel.link.inputs[-2:] == ["build/release/libs/core/libsffi_core.a", "build/release/libs/demo/libsffi_demo.a"]
    # a second selection shares the libraries and the runtime's objects: nothing is planned twice
    before = len(g.steps)
    other = planner.selection(["core"])
    assert other.directory == "build/release/sel/core"
    assert {s.builder for s in list(g.steps.values())[before:]} == {"StaticObject", "SffiTable", "Program", "SffiAudit"}
    assert len(g.by_builder("StaticLibrary")) == 2


def test_one_rust_crate(project):
    write_lib(project, "rs", "cargo")
    planner = planner_for(project)
    sel = planner.selection(["core", "rs"])
    g = planner.graph
    umbrella = only(g.by_builder("CargoUmbrella"))
    assert umbrella.targets == ["build/release/rust/rs/libsffi_rust.a",
                                "build/release/rust/rs/libsffi_rust.a.native-libs",
                                "build/release/libs/rs/librs.rlib"]
    assert umbrella.sources[0] == "build/release/rust/rs/umbrella/Cargo.toml"
    assert str(project / "ffi_libs/rs/src/lib.rs") in umbrella.sources
    assert umbrella.vars["CARGO_MEMBERS"] == ["rs"]
    assert g.producer("build/release/libs/rs/rs.check.json").sources[0] == "build/release/libs/rs/librs.rlib"
    signatures = g.producer("build/release/rust/rs/signatures/checked.txt")
    assert "build/release/libs/rs/rs.check.json" in signatures.depends  # compiled after the export check
    assert sel.checks[-1] == "build/release/rust/rs/signatures/checked.txt"
    # the runtime links the umbrella staticlib, never the rlib, and rustc's native libraries
    assert sel.link.inputs[-1] == "build/release/rust/rs/libsffi_rust.a"
    assert "build/release/libs/rs/librs.rlib" not in sel.link.inputs
    assert sel.link.native_file == "build/release/rust/rs/libsffi_rust.a.native-libs"
    assert g.producer(sel.program).depends == [sel.link.native_file]


def test_two_rust_crates_share_one_umbrella(project):
    write_lib(project, "ra", "cargo")
    write_lib(project, "rb", "cargo")
    planner = planner_for(project)
    both = planner.selection(["core", "ra", "rb"])
    g = planner.graph
    umbrella = only(g.by_builder("CargoUmbrella"))
    assert umbrella.target == "build/release/rust/ra+rb/libsffi_rust.a"
    assert umbrella.targets[2:] == ["build/release/libs/ra/libra.rlib", "build/release/libs/rb/librb.rlib"]
    assert [s for s in both.link.inputs if s.endswith(".a")][-1] == "build/release/rust/ra+rb/libsffi_rust.a"
    assert sum(s.endswith("libsffi_rust.a") for s in both.link.inputs) == 1
    # `ra` alone: another umbrella, whose copy of ra's rlib stays its own; the check keeps the first
    alone = planner.selection(["core", "ra"])
    second = g.producer("build/release/rust/ra/libsffi_rust.a")
    assert second.targets[2:] == ["build/release/rust/ra/members/libra.rlib"]
    assert alone.artifacts["ra"] == "build/release/libs/ra/libra.rlib"
    assert len(g.by_builder("SffiCheck")) == 3  # core, ra, rb: each library checked once


def test_cxx_with_an_external_dependency(project):
    write_lib(project, "img", "cxx", sources=("src/img.cpp",),
              deps='[[dependency]]\npkg-config = "libimg"\ninstall = "apt-get install libimg-dev"\n',
              link="[link]\nlibs = [\"z\"]\n")
    found = toolchain.Found(name="libimg", version="2.1", origin="pkg-config libimg", cpppath=["/opt/img/include"],
                            cppdefines=["IMG_API=1"], libpath=["/opt/img/lib"], libs=["img"], rpath=["/opt/img/lib"],
                            cxxflags=["-std=c++17"])
    planner = planner_for(project, {"libimg": found})
    sel = planner.selection(["core", "img"])
    g = planner.graph
    env = g.envs["lib:img"].append
    # the dependency's headers are system headers to the compiler and not scanned by SCons
    assert env["CCFLAGS"][:2] == ["-isystem", "/opt/img/include"]
    assert "CPPPATH" not in env
    assert env["CPPDEFINES"] == ["IMG_API=1"] and env["CXXFLAGS"] == ["-std=c++17"]
    obj = g.producer("build/release/libs/img/obj/src/img.o")
    assert obj.values == fingerprints([found]) and "2.1" in obj.values[0]
    assert sel.link.linker == "$CXX" and g.envs[f"link:{sel.directory}"].replace == {"LINK": "$CXX"}
    assert sel.link.libs == ["img", "z", "m"]
    assert sel.link.libpath == ["/opt/img/lib"] and sel.link.rpath == ["/opt/img/lib"]
    assert g.producer(sel.program).values == fingerprints([found])
    upgraded = toolchain.Found(**{**found.__dict__, "version": "2.2"})
    assert fingerprints([upgraded]) != fingerprints([found])  # an upgrade recompiles and relinks


def test_a_clash_is_checked_before_the_link(project):
    write_lib(project, "left", "c")
    write_lib(project, "right", "c")
    planner = planner_for(project)
    sel = planner.selection(["core", "left", "right"])
    g = planner.graph
    table = g.producer(sel.table_c)
    # the table node reads every library's check record (their strong exports): the clash check
    assert set(sel.checks) <= set(table.sources)
    assert {g.producer(c).vars["SFFI_MANIFEST"].name for c in sel.checks} == {"core", "left", "right"}
    # and the runtime links the table's object: a clash stops the build before LINK
    table_obj = g.producer(sel.link.inputs[0])
    assert table_obj.sources == [sel.table_c]


def test_missing_dependency_stops_before_anything_compiles(project):
    write_lib(project, "needy", "c", deps='[[dependency]]\npkg-config = "sffi-no-such"\n'
                                          'install = "apt-get install libno-such-dev"\n')
    planner = planner_for(project)
    with pytest.raises(SffiError) as err:
        planner.deps.require([planner.known["core"], planner.known["needy"]])
    text = str(err.value)
    assert "library 'needy' needs missing dependency 'sffi-no-such'" in text
    assert "apt-get install libno-such-dev" in text and text.endswith("nothing was compiled.")
    assert err.value.status == 1
    assert planner.graph.steps == {}  # nothing planned


def test_matrix_skips_a_selection_whose_dependency_is_missing(project):
    from sffi.plan import matrix_plan
    from sffi.report.matrix_file import load
    write_lib(project, "needy", "c", deps='[[dependency]]\npkg-config = "sffi-no-such"\n')
    (project / "matrix.toml").write_text('[[selection]]\nname = "none"\nwith = "none"\n\n'
                                         '[[selection]]\nname = "needy"\nwith = "needy"\n\n'
                                         '[library.needy]\noptional = true\n')
    planner = planner_for(project)
    matrix = load(project / "matrix.toml", list(planner.known), project)
    plan = matrix_plan.plan_matrix(planner, matrix, matrix.only(""), False, False, "run-1")
    assert [e["name"] for e in plan.entries] == ["none", "needy"]
    assert plan.entries[1]["missing"][0]["optional"] is True
    assert not any("needy" in s.target for s in planner.graph.steps.values())
    report = planner.graph.producer("build/release/matrix/report.json")
    assert report.always and report.sources[1:] == plan.results


def test_layout_round_trip():
    lay = layout_mod.Layout("debug-asan")
    sel = lay.sel_dir("core+sqlite")
    assert layout_mod.library_dir(sel, "sqlite").as_posix() == lay.lib_dir("sqlite") == "build/debug-asan/libs/sqlite"
    assert lay.rust_set_of(lay.umbrella_lib(["a", "b"])) == ["a", "b"]
    assert layout_mod.variant_name("debug", "address") == "debug-asan"


def test_no_function_of_the_plan_package_is_over_60_lines():
    long = []
    for path in PLAN_PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > 60:
                long.append(f"{path.name}:{node.lineno} {node.name}")
    assert long == []


def test_decider_trusts_a_timestamp_only_for_files_older_than_the_previous_build(tmp_path):
    from sffi.plan import sconsgraph
    calls = []

    class Dependency:
        def __init__(self, mtime):
            self.mtime = mtime

        def get_timestamp(self):
            return self.mtime

        def changed_timestamp_then_content(self, target, prev_ni, repo_node=None):
            calls.append(("timestamp", self.mtime))
            return False

        def changed_content(self, target, prev_ni, repo_node=None):
            calls.append(("content", self.mtime))
            return True

    decide = sconsgraph.timestamp_decider(before=1000.0)
    assert [decide(Dependency(t), None, None) for t in (990, 999, 1005, 0)] == [False, True, True, True]
    assert calls == [("timestamp", 990), ("content", 999), ("content", 1005), ("content", 0)]
    # the start stamp: unknown at first (everything hashed), then the previous run's start
    stamp = tmp_path / "build" / ".scons-start"
    assert sconsgraph.previous_start(str(stamp), now=50.0) == 0.0
    assert sconsgraph.previous_start(str(stamp), now=60.0, record=False) == 50.0
    assert sconsgraph.previous_start(str(stamp), now=70.0) == 50.0
    assert sconsgraph.previous_start(str(stamp), record=False) == 70.0
