"""The SCons nodes of loadable FFI modules: ``scons runtime --modules=LIBS`` (docs/modules.md).

Per library, from its unchanged manifest:

* C/C++: its sources compiled ``-fPIC`` (with the prototype header
  force-included, as for the archive) under ``build/<mode>/modules/<lib>/obj/``;
* Rust: the crate's umbrella staticlib (position-independent, as rustc builds
  it for this target), the one the compile-in linkage uses for that crate alone;
* the generated module table ``sffi_module_<lib>.c`` (sffi.module_table),
  compiled ``-fPIC``;
* linked into ``build/<mode>/modules/libsffi_<lib>.so`` with the library's
  system libraries, a RUNPATH to their directories (libtorch, OpenCV are found
  without LD_LIBRARY_PATH), and a version script that exports
  ``sffi_module_descriptor`` alone: the library's own symbols, and a Rust
  module's copy of the Rust runtime, are local and cannot clash with another
  module's or the runtime's;
* copied into ``build/lib/sffi/``, the directory ``build/bin/simple`` searches.

Until build-plan's ``sffi.plan`` lands this is called from the SConstruct;
there it becomes the ``module`` linkage.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import SCons.Action
import SCons.Errors

from sffi import module_table, table
from sffi.errors import SffiError

INSTALL_DIR = "build/lib/sffi"
VERSION_SCRIPT = "{ global: sffi_module_descriptor; local: *; };\n"


def _table_action(target, source, env):
    manifest = env["SFFI_MANIFEST"]
    try:
        lib, _ = table.library_decls(manifest)
    except SffiError as exc:
        raise SCons.Errors.BuildError(errstr=f"\n{exc}")
    facts = module_table.facts(lib, build_id=env["SFFI_BUILD_ID"], rebuild=env["SFFI_REBUILD"])
    Path(str(target[0])).write_text(module_table.generate_c(lib, facts), encoding="utf-8")


def _write_action(target, source, env):
    Path(str(target[0])).write_text(env["SFFI_TEXT"], encoding="utf-8")


def _install_action(target, source, env):
    shutil.copy2(str(source[0]), str(target[0]))


def _rust_native_flags(target, source, env, for_signature):
    """The native libraries rustc reported for the crate, read when the link runs."""
    path = env.get("SFFI_RUST_NATIVE_FILE")
    if for_signature or not path or not Path(path).exists():
        return ""
    return Path(path).read_text().strip()


def _c_objects(env, m, deps, out):
    """The library's sources as position-independent objects, prototype header force-included."""
    lenv = env.Clone()
    for f in deps:
        lenv.AppendUnique(CPPPATH=f.cpppath, CPPDEFINES=f.cppdefines, CCFLAGS=f.ccflags, CXXFLAGS=f.cxxflags)
    lenv.Append(CFLAGS=list(m.cflags), CXXFLAGS=list(m.cxxflags), CPPDEFINES=list(m.cppdefines))
    header = lenv.SffiPrototypes(f"{out}/sffi_exports_{m.name}.h", [m.path, *m.declarations], SFFI_MANIFEST=m)
    lenv.Append(CCFLAGS=["-include", header[0].abspath])
    try:
        sources = m.source_files()
    except SffiError as exc:
        raise SCons.Errors.UserError(str(exc))
    objs = [lenv.SharedObject(f"{out}/obj/{src.relative_to(m.root).with_suffix('')}", str(src))[0]
            for src in sources]
    env.Depends(objs, header)
    return objs


def plan_module(env, m, deps, base: str, variant: str, link_inputs, rust_nodes):
    """The nodes of one module; returns (module node under build/<mode>/modules, installed copy).

    Args:
        env: the build's environment (the Sffi* and cargo builders loaded).
        m: the library's Manifest.
        deps: its toolchain.Found list.
        base: ``build/<variant>``; variant: e.g. ``release``, the module's build id.
        link_inputs: ``(manifests, deps_by_lib) -> (static, libs, libpath, rpath, flags)``.
        rust_nodes: ``(env, [manifest]) -> (staticlib, native_file, checks)`` for a Rust crate.
    """
    out = f"{base}/modules/{m.name}"
    menv = env.Clone(STATIC_AND_SHARED_OBJECTS_ARE_THE_SAME=1)  # the Rust staticlib is PIC
    table_c = menv.Command(f"{out}/sffi_module_{m.name}.c", [m.path, *m.declarations],
                           SCons.Action.Action(_table_action, f"  MODTAB  {out}/sffi_module_{m.name}.c"),
                           SFFI_MANIFEST=m, SFFI_BUILD_ID=variant,
                           SFFI_REBUILD=f"scons runtime --modules={m.name} --mode={variant.split('-')[0]}")
    script = menv.Command(f"{out}/exports.map", [], SCons.Action.Action(_write_action, None),
                          SFFI_TEXT=VERSION_SCRIPT)
    inputs = [menv.SharedObject(f"{out}/sffi_module_{m.name}", table_c)[0]]
    static, libs, libpath, rpath, flags = link_inputs([m], {m.name: deps})
    native = None
    if m.kind == "cargo":
        staticlib, native, checks = rust_nodes(env, [m])
        inputs.append(staticlib)
        menv.Depends(inputs[0], checks)
        menv.Append(SHLINKCOM=" ${SFFI_RUST_NATIVE}")
        menv.Replace(SFFI_RUST_NATIVE=_rust_native_flags, SFFI_RUST_NATIVE_FILE=str(native))
    else:
        inputs += _c_objects(env, m, deps, out)
    if m.kind == "cxx":
        menv["SHLINK"] = "$CXX"
    if env.get("LINKCOMSTR"):  # short progress lines unless --verbose
        menv["SHLINKCOMSTR"] = env["LINKCOMSTR"]
    menv.Append(LIBPATH=libpath, RPATH=rpath, LINKFLAGS=flags + [
        f"-Wl,--version-script={script[0].abspath}", "-Wl,--enable-new-dtags", "-Wl,-z,defs", "-Wl,-z,now", "-pthread"])
    module = menv.SharedLibrary(f"{out}/libsffi_{m.name}.so", inputs + static, LIBS=libs + ["m"],
                                SHLIBPREFIX="", SHLIBSUFFIX="")[0]
    menv.Depends(module, script + ([native] if native else []))
    installed = menv.Command(f"{INSTALL_DIR}/libsffi_{m.name}.so", module,
                             SCons.Action.Action(_install_action, "  INSTALL $TARGET"))
    return module, installed
