"""The ``module`` linkage: each library a loadable ``libsffi_<lib>.so`` (docs/modules.md).

DESIGN.md's second linkage ("Two linkages, one manifest"). Per library, from
its unchanged manifest, for ``scons runtime --modules=LIBS``:

* C/C++: its sources compiled ``-fPIC`` (``SharedObject``, with the prototype
  header force-included, in the library's compile environment) under
  ``build/<mode>/modules/<lib>/obj/``; Rust: the crate's umbrella staticlib
  (the cargo kind's, position-independent as rustc builds it on this target);
* the generated module table and version script (``SffiModuleTable``), the
  table compiled ``-fPIC``;
* linked (``SharedLibrary``) into ``build/<mode>/modules/<lib>/libsffi_<lib>.so``
  with the library's system libraries, a RUNPATH to their directories
  (libtorch, OpenCV found without LD_LIBRARY_PATH), ``-z defs``, ``-z now``
  (its own references bound at load) and the version script, which exports
  ``sffi_module_descriptor`` alone: the library's symbols and a Rust module's
  copy of the Rust standard library stay local and cannot clash;
* copied (``SffiInstall``) into ``build/lib/sffi/``, beside ``build/bin/simple``.

Planning only adds steps (sffi.plan.graph_model); nothing is compiled here.
"""

from __future__ import annotations

from sffi.plan import kinds
from sffi.plan.graph_model import EnvSpec, Step
from sffi.plan.linkage import system_inputs


def plan_module(planner, m, install: bool = True) -> list[str]:
    """Plan the module of library ``m`` (a Manifest); returns [module, installed copy]
    (``install=False``, as ``scons matrix`` plans it: [module], nothing copied to build/lib/sffi/).

    Raises:
        SffiError: a source glob of the manifest that matches nothing.
    """
    layout = planner.layout
    out = layout.module_dir(m.name)
    found = planner.dependencies(m)
    table_c, script = f"{out}/sffi_module_{m.name}.c", f"{out}/exports.map"
    mode = layout.variant.split("-")[0]
    planner.graph.add(Step("SffiModuleTable", [table_c, script], [str(m.path), *map(str, m.declarations)],
                           vars={"SFFI_MANIFEST": m, "SFFI_BUILD_ID": layout.variant,
                                 "SFFI_REBUILD": f"scons runtime --modules={m.name} --mode={mode}"}))
    table_obj = f"{out}/sffi_module_{m.name}.os"
    planner.graph.add(Step("SharedObject", [table_obj], [table_c]))
    native = None
    if m.kind == "cargo":
        built = kinds.of(m).plan(planner, [m])[0]
        inputs, native, depends = [table_obj, *built.link_inputs], built.native_file, built.checks
    else:
        inputs, depends = [table_obj, *_pic_objects(planner, m, found)], []
    static, libs, libpath, rpath, flags = system_inputs([m], {m.name: found})
    env = planner.graph.env(f"module:{m.name}", EnvSpec(
        append={"LIBPATH": libpath, "RPATH": rpath, "LINKFLAGS": flags + [
            f"-Wl,--version-script={script}", "-Wl,--enable-new-dtags", "-Wl,-z,defs", "-Wl,-z,now", "-pthread"]},
        replace={"SHLIBPREFIX": "", "SHLIBSUFFIX": "", "STATIC_AND_SHARED_OBJECTS_ARE_THE_SAME": 1,
                 **({"SHLINK": "$CXX"} if kinds.of(m).links_with_cxx else {})}))
    module = layout.module(m.name)
    planner.graph.add(Step("SharedLibrary", [module], inputs + static, env=env,
                           vars={"LIBS": libs + ["m"], "SFFI_RUST_NATIVE_FILE": native or ""},
                           depends=[script, *depends, *([native] if native else [])],
                           values=kinds.fingerprints(found)))
    if not install:
        return [module]
    installed = layout.installed_module(m.name)
    planner.graph.add(Step("SffiInstall", [installed], [module]))
    return [module, installed]


def _pic_objects(planner, m, found: list) -> list[str]:
    """A C/C++ library's sources as position-independent objects, in its compile environment."""
    layout = planner.layout
    header = layout.prototypes(m.name)
    env = planner.graph.env(f"lib:{m.name}", kinds.library_env(m, found, header))
    planner.graph.add(Step("SffiPrototypes", [header], [str(m.path), *map(str, m.declarations)],
                           vars={"SFFI_MANIFEST": m}))
    objects = []
    for src in m.source_files():
        obj = f"{layout.module_dir(m.name)}/obj/{src.relative_to(m.root).with_suffix('').as_posix()}.os"
        planner.graph.add(Step("SharedObject", [obj], [str(src)], env=env, depends=[header],
                               values=kinds.fingerprints(found)))
        objects.append(obj)
    return objects
