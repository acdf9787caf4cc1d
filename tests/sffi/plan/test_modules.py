"""The module linkage (sffi.plan.modules) read as data: what `--modules=LIB` plans (docs/modules.md)."""

from __future__ import annotations

import pytest

from sffi import toolchain
from sffi.errors import SffiError
from sffi.plan import layout as layout_mod
from sffi.plan.modules import plan_module

from test_plan import planner_for, project, write_lib  # noqa: F401 - the fixture is used by name


def test_cxx_module_with_a_shared_dependency(project):
    write_lib(project, "img", "cxx", sources=("src/img.cpp",),
              deps='[[dependency]]\npkg-config = "libimg"\ninstall = "apt-get install libimg-dev"\n')
    found = toolchain.Found(name="libimg", version="2.1", libpath=["/opt/img/lib"], libs=["img"],
                            rpath=["/opt/img/lib"], cpppath=["/opt/img/include"])
    planner = planner_for(project, {"libimg": found})
    planner.deps.require([planner.known["img"]])
    targets = plan_module(planner, planner.known["img"])
    g = planner.graph
    assert targets == ["build/release/modules/img/libsffi_img.so", "build/lib/sffi/libsffi_img.so"]
    link = g.producer(targets[0])
    assert link.builder == "SharedLibrary"
    assert link.sources == ["build/release/modules/img/sffi_module_img.os", "build/release/modules/img/obj/src/img.os"]
    env = g.envs["module:img"]
    assert env.append["RPATH"] == ["/opt/img/lib"] and env.replace["SHLINK"] == "$CXX"
    assert "-Wl,--version-script=build/release/modules/img/exports.map" in env.append["LINKFLAGS"]
    assert {"-Wl,-z,defs", "-Wl,-z,now"} <= set(env.append["LINKFLAGS"])
    assert link.vars["LIBS"] == ["img", "m"]
    assert g.producer("build/release/modules/img/obj/src/img.os").builder == "SharedObject"
    table = g.producer("build/release/modules/img/sffi_module_img.c")
    assert table.builder == "SffiModuleTable" and table.vars["SFFI_REBUILD"] == "scons runtime --modules=img --mode=release"
    assert g.producer(targets[1]).builder == "SffiInstall"


def test_rust_module_links_the_crate_umbrella(project):
    write_lib(project, "ra", "cargo")
    planner = planner_for(project)
    link = planner.graph.producer(plan_module(planner, planner.known["ra"])[0])
    assert link.sources == ["build/release/modules/ra/sffi_module_ra.os", "build/release/rust/ra/libsffi_rust.a"]
    assert link.vars["SFFI_RUST_NATIVE_FILE"] == "build/release/rust/ra/libsffi_rust.a.native-libs"
    assert "SHLINK" not in planner.graph.envs["module:ra"].replace


def test_a_module_rebuild_hint_keeps_the_variant_options(project):
    """The descriptor's rebuild command comes from the variant object: an ASan debug build says so."""
    write_lib(project, "img", "c")
    planner = planner_for(project)
    planner.layout = layout_mod.Layout(layout_mod.Variant("debug", "address"))
    plan_module(planner, planner.known["img"])
    table = planner.graph.producer("build/debug-asan/modules/img/sffi_module_img.c")
    assert table.vars["SFFI_REBUILD"] == "scons runtime --modules=img --mode=debug --sanitize=address"
    assert table.vars["SFFI_BUILD_ID"] == "debug-asan"


def test_static_and_module_share_the_kind_compile_step_and_environment(project):
    """One compile loop (the kind's) serves both linkages: same environment, same header,
    only the builder and the object directory differ (the linkage's)."""
    write_lib(project, "img", "c", sources=("src/img.c",))
    planner = planner_for(project)
    planner.selection(["core", "img"])
    plan_module(planner, planner.known["img"])
    g = planner.graph
    static = g.producer("build/release/libs/img/obj/src/img.o")
    module = g.producer("build/release/modules/img/obj/src/img.os")
    assert (static.builder, module.builder) == ("StaticObject", "SharedObject")
    assert static.env == module.env == "lib:img" and static.depends == module.depends
    assert len(g.by_builder("SffiPrototypes")) == 2  # core's and img's, img's planned once


def test_both_linkages_implement_one_interface():
    from sffi.plan.linkage import LINKAGES, Linkage
    assert set(LINKAGES) == {"static", "module"}
    for linkage in LINKAGES.values():
        assert isinstance(linkage, Linkage)
        for method in ("object", "collect", "link"):
            assert getattr(type(linkage), method) is not getattr(Linkage, method), (linkage.name, method)


def test_variant_names_parse_back_and_a_bad_one_is_refused():
    v = layout_mod.Variant.parse("release-asan")
    assert (v.mode, v.sanitize, v.name, v.options()) == ("release", "address", "release-asan",
                                                         "--mode=release --sanitize=address")
    with pytest.raises(SffiError, match="'fast' is not a build variant"):
        layout_mod.Variant.parse("fast")
