"""The ``sffi`` SCons tool for projects outside this repository (docs/hostkit.md).

An installed sffi (a wheel) lets another project's SConstruct build its own
FFI libraries, declared by ``sffi.toml`` manifests in its own tree, check their
exports against their declarations, generate their extern table and write a
host kit::

    import sffi
    env = Environment(tools=["default", "sffi"], toolpath=[sffi.TOOLPATH])
    project = env.SffiProject("ffi_libs", build_dir="build/sffi")
    host = project.host_env(env).Program("build/host", ["host.c"])

``sffi.TOOLPATH`` is the directory holding the installed package, so SCons
finds the tool as the package itself (``sffi/__init__.py`` defines
``generate`` and ``exists``, which delegate here).

Libraries of kind ``c`` and ``cxx`` are built; each source is compiled with
the generated prototype header force-included, so a definition whose C
signature differs from its declaration does not compile. Kind ``cargo`` and
``[[dependency]]`` tables (pkg-config, detectors) need this repository's full
build (``scons hostkit``) and are refused with a message saying so.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import SCons.Action
import SCons.Errors

from sffi import check as check_mod
from sffi import manifest as manifest_mod
from sffi import table
from sffi.errors import SffiError
from sffi.hostkit import kit as kit_mod
from sffi.hostkit import linkline
from sffi.hostkit import scons as hostkit_scons
from sffi.plan import kinds


def _fail(exc: SffiError):
    raise SCons.Errors.BuildError(errstr=f"\n{exc}")


@dataclasses.dataclass
class ProjectBuild:
    """The nodes of ``env.SffiProject``: per-library archives, the table and the host kit.

    ``kit_dir`` is the kit's directory; ``link`` the LinkLine after its archive.
    """

    libraries: list[str]
    archives: list
    table_c: object
    table_json: object
    hostkit: list
    kit_dir: str
    link: linkline.LinkLine

    def host_env(self, env):
        """A clone of ``env`` that compiles against the kit's headers and links its archive."""
        henv = env.Clone()
        henv.AppendUnique(CPPPATH=[f"{self.kit_dir}/include"], LIBPATH=[f"{self.kit_dir}/lib", *self.link.libpath])
        henv.Append(LIBS=[linkline.ARCHIVE_NAME, *self.link.system_libs], LINKFLAGS=list(self.link.linkflags),
                    RPATH=list(self.link.rpath))
        if self.link.cxx:
            henv["LINK"] = "$CXX"
        return henv


def _prototypes_action(target, source, env):
    try:
        lib, _ = table.library_decls(env["SFFI_MANIFEST"])
    except SffiError as exc:
        _fail(exc)
    Path(str(target[0])).write_text(table.generate_prototypes(lib), encoding="utf-8")


def _check_and_table_action(target, source, env):
    """Check every library's exports, then clashes, then write the table (C and JSON)."""
    manifests, archives = env["SFFI_MANIFESTS"], [str(a) for a in env["SFFI_ARCHIVES"]]
    try:
        checks = [check_mod.check_library(m, [a], define_hint=kinds.of(m).define_hint)
                  for m, a in zip(manifests, archives)]
        for c, archive in zip(checks, archives):
            for line in c.messages():
                print(line)
            print(f"  CHECK   {c.manifest.name}: {len(c.matched)} externs exported by {archive}")
        missing = [c for c in checks if c.missing]
        if missing:
            raise SffiError("declared externs not exported: " + ", ".join(
                f"{c.manifest.name} ({len(c.missing)})" for c in missing))
        clashes = check_mod.find_clashes(checks, {m.name: [a] for m, a in zip(manifests, archives)})
        if clashes:
            raise SffiError("\n".join(c.message() for c in clashes))
        libs = [table.library_decls(m)[0] for m in manifests]
    except SffiError as exc:
        _fail(exc)
    Path(str(target[0])).write_text(table.generate_c(libs, []), encoding="utf-8")
    Path(str(target[1])).write_text(table.generate_json(libs, []), encoding="utf-8")
    print(f"  TABLE   {target[0]}: {sum(len(l.declarations) for l in libs)} externs of {len(libs)} libraries")


def _refuse_unsupported(m) -> None:
    if not kinds.built_by_scons(m):
        raise SffiError(f"library kind '{m.kind}' is built by the sffi repository's own SConstruct "
                        f"(`scons hostkit`), not by the SCons tool yet; use kind "
                        f"{' or '.join(repr(k) for k in kinds.names_built_by_scons())}", str(m.path))
    if m.dependencies:
        raise SffiError("[[dependency]] tables need the sffi repository's toolchain detectors; with the SCons "
                        "tool, add the dependency's flags to the environment and list its -l names under "
                        "[link] libs", str(m.path))


def _library(env, m, build_dir: str):
    """One C/C++ library's archive, compiled with its prototype header force-included."""
    out = f"{build_dir}/libs/{m.name}"
    lenv = env.Clone()
    lenv.AppendUnique(CPPPATH=[str(kit_mod.ABI_INCLUDE)])
    lenv.Append(CFLAGS=["-std=c11", *m.cflags], CXXFLAGS=list(m.cxxflags), CPPDEFINES=list(m.cppdefines))
    header = lenv.Command(f"{out}/sffi_exports_{m.name}.h", [str(m.path), *map(str, m.declarations)],
                          SCons.Action.Action(_prototypes_action, None), SFFI_MANIFEST=m)
    lenv.Append(CCFLAGS=["-include", header[0].abspath])
    objs = [lenv.StaticObject(f"{out}/obj/{src.relative_to(m.root).with_suffix('')}", str(src))[0]
            for src in m.source_files()]
    lenv.Depends(objs, header)
    return lenv.StaticLibrary(f"{out}/libsffi_{m.name}", objs)[0]


def sffi_project(env, ffi_root: str = "ffi_libs", build_dir: str = "build/sffi") -> ProjectBuild:
    """Every library under ``ffi_root`` (``*/sffi.toml``) built, checked, tabled and packed as a host kit.

    Args:
        ffi_root: the folder holding one sub-folder per library (relative to the SConstruct).
        build_dir: where the archives, ``sffi_table.{c,json}`` and ``hostkit/`` go.

    Returns:
        ProjectBuild (an Alias ``hostkit`` is defined for its kit).

    Raises:
        SCons.Errors.UserError: a manifest is invalid or asks for what the tool cannot build
            (the message names the file and the fix).
    """
    try:
        manifests = list(kinds.discover(env.Dir(ffi_root).abspath).values())
        if not manifests:
            raise SffiError(f"no library manifest (*/{manifest_mod.MANIFEST_NAME}) under {ffi_root}")
        for m in manifests:
            _refuse_unsupported(m)
        archives = [_library(env, m, build_dir) for m in manifests]
    except SffiError as exc:
        raise SCons.Errors.UserError(str(exc)) from exc
    table_c, table_json = env.Command(
        [f"{build_dir}/sffi_table.c", f"{build_dir}/sffi_table.json"],
        archives + [str(p) for m in manifests for p in (m.path, *m.declarations)],
        SCons.Action.Action(_check_and_table_action, None), SFFI_MANIFESTS=manifests, SFFI_ARCHIVES=archives)
    link = linkline.LinkLine(linkline.unique(lib for m in manifests for lib in m.link_libs),
                             cxx=any(kinds.of(m).links_with_cxx for m in manifests))
    names = sorted(m.name for m in manifests)
    kit_dir = f"{build_dir}/hostkit"
    nodes = hostkit_scons.define_kit(env, kit_dir, names, table_c, table_json, archives, link)
    env.Alias("hostkit", nodes)
    return ProjectBuild(names, archives, table_c, table_json, nodes, kit_dir, link)


def generate(env):
    """Add ``env.SffiProject(ffi_root, build_dir)`` (see :func:`sffi_project`)."""
    env.AddMethod(sffi_project, "SffiProject")


def exists(env):
    """Always available: the toolkit is pure Python (a C compiler is needed to build)."""
    return True

