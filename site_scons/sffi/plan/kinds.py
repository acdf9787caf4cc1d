"""Per-kind build strategies: the one place that decides how each kind of library is built.

A manifest's ``kind`` (``c``, ``cxx``, ``cargo``; docs/manifest.md) picks one
:class:`Kind` from :data:`KINDS`. A kind knows:

* how the libraries of that kind in one selection are built
  (:meth:`Kind.plan`): C and C++ sources are compiled by SCons into one archive
  per library; all the selection's Rust crates go into one umbrella staticlib
  (DESIGN.md, "Linking Rust crates"), since two Rust staticlibs in one binary clash;
* what the check scans for each library (its archive, or its crate's rlib);
* whether linking needs the C++ driver, and the hint an error gives for an
  extern that is declared but not defined.

Planning adds :class:`sffi.plan.graph_model.Step` s to the planner's graph and
never runs a compiler. Adding a kind is adding a class here and a line to
:data:`KINDS`; nothing else names a kind.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sffi.plan.graph_model import Built, EnvSpec, Step


class Kind:
    """One kind of library. Subclasses fill in the attributes and :meth:`plan`."""

    name = ""
    #: the program is linked with ``$CXX`` when a library of this kind is in it
    links_with_cxx = False
    #: the sources are compiled with the generated prototype header force-included
    compiled_with_prototypes = False
    #: what to do about a declared extern that no artifact exports ({name} is filled in)
    define_hint = ""

    def plan(self, planner, manifests: list) -> list[Built]:
        """Plan the libraries of this kind in one selection; returns one Built per build product."""
        raise NotImplementedError


class SconsArchive(Kind):
    """C or C++: each library's sources compiled by SCons into ``libsffi_<lib>.a``."""

    compiled_with_prototypes = True

    def __init__(self, name: str, links_with_cxx: bool, define_hint: str):
        self.name, self.links_with_cxx, self.define_hint = name, links_with_cxx, define_hint

    def plan(self, planner, manifests: list) -> list[Built]:
        return [planner.once(("archive", m.name), lambda m=m: self._archive(planner, m)) for m in manifests]

    def _archive(self, planner, m) -> Built:
        layout = planner.layout
        found = planner.dependencies(m)
        env = f"lib:{m.name}"
        header = layout.prototypes(m.name)
        planner.graph.env(env, library_env(m, found, header))
        planner.graph.add(Step("SffiPrototypes", [header], [str(m.path), *map(str, m.declarations)],
                               vars={"SFFI_MANIFEST": m}))
        objects = []
        for src in m.source_files():  # SffiError (with the manifest's path) when a glob matches nothing
            obj = layout.object(m.name, src.relative_to(m.root)) + ".o"
            planner.graph.add(Step("StaticObject", [obj], [str(src)], env=env, depends=[header],
                                   values=fingerprints(found)))
            objects.append(obj)
        archive = layout.archive(m.name)
        planner.graph.add(Step("StaticLibrary", [archive], objects, env=env))
        return Built({m.name: archive}, [archive], [])


def library_env(m, found: list, header: str) -> EnvSpec:
    """The compile settings of one C/C++ library: its dependencies', its manifest's, the header.

    External dependencies' include directories become ``-isystem`` flags, not
    ``CPPPATH``: SCons scans only ``CPPPATH``, so libtorch's and OpenCV's tens of
    thousands of headers are not read on every run. Their version is tracked
    instead (:func:`fingerprints`): an upgrade changes it and recompiles.
    """
    ccflags, defines, cxxflags = [], [], []
    for f in found:
        ccflags += [x for x in f.ccflags if x not in ccflags or x == "-isystem"]
        ccflags += [flag for d in f.cpppath if not _listed_isystem(ccflags, d) and d not in _SYSTEM_INCLUDES
                    for flag in ("-isystem", d)]
        defines += [d for d in f.cppdefines if d not in defines]
        cxxflags += [x for x in f.cxxflags if x not in cxxflags]
    return EnvSpec(append={"CCFLAGS": ccflags + ["-include", str(Path(header).absolute())],
                           "CPPDEFINES": defines + list(m.cppdefines),
                           "CFLAGS": list(m.cflags), "CXXFLAGS": cxxflags + list(m.cxxflags)})


_SYSTEM_INCLUDES = ("/usr/include", "/usr/local/include")  # -isystem on these breaks #include_next


def _listed_isystem(flags: list[str], directory: str) -> bool:
    return any(a == "-isystem" and b == directory for a, b in zip(flags, flags[1:]))


def fingerprints(found: list) -> list[str]:
    """One line per dependency naming its version, origin and flags (a Value node each).

    A changed line (an upgraded package: pkg-config or the detector reports
    another version, other paths or flags) rebuilds whatever depends on it.
    """
    return [repr(dataclasses.astuple(f)) for f in found]


class Cargo(Kind):
    """Rust crates: one generated umbrella staticlib per set of crates (cargo builds it)."""

    name = "cargo"
    define_hint = "define it in the crate as `#[no_mangle] pub extern \"C\" fn {name}(...)`"

    def plan(self, planner, manifests: list) -> list[Built]:
        if not manifests:
            return []
        key = tuple(m.name for m in manifests)
        return [planner.once(("rust", key), lambda: self._umbrella(planner, manifests))]

    def _umbrella(self, planner, rust: list) -> Built:
        layout = planner.layout
        names = [m.name for m in rust]
        out = layout.rust_dir(names)
        generated = [f"{out}/umbrella/Cargo.toml", f"{out}/umbrella/lib.rs"]
        planner.graph.add(Step("SffiUmbrella", generated,
                               [str(p) for m in rust for p in (m.path, m.crate / "Cargo.toml")],
                               vars={"SFFI_RUST_MANIFESTS": rust}))
        # The rlib a library's check scans comes from the first umbrella that builds it;
        # another umbrella (another set of crates) keeps its copy to itself.
        rlibs = [layout.member_rlib(names, m.crate_name) if planner.artifact(m.name)
                 else layout.rlib(m.name, m.crate_name) for m in rust]
        staticlib = layout.umbrella_lib(names)
        native = staticlib + NATIVE_SUFFIX
        planner.graph.add(Step("CargoUmbrella", [staticlib, native, *rlibs],
                               [generated[0], *crate_sources(rust)], depends=[generated[1]],
                               vars={"CARGO_MEMBERS": [m.crate_name for m in rust]},
                               side_effects=[f"{out}/umbrella/Cargo.lock"]))
        artifacts = {m.name: planner.artifact(m.name) or rlib for m, rlib in zip(rust, rlibs)}
        checks = [planner.check(m, artifacts[m.name]) for m in rust]
        return Built(artifacts, [staticlib], [self._signatures(planner, rust, checks)], native_file=native)

    def _signatures(self, planner, rust: list, checks: list[str]) -> str:
        """After the export checks: compile assertions that each export has its declared signature."""
        out = planner.layout.signatures_dir([m.name for m in rust])
        generated = [f"{out}/Cargo.toml", f"{out}/lib.rs"]
        planner.graph.add(Step("SffiRustSignatures", generated,
                               [str(p) for m in rust for p in (m.path, m.crate / "Cargo.toml", *m.declarations)],
                               vars={"SFFI_RUST_MANIFESTS": rust}))
        stamp = f"{out}/checked.txt"
        planner.graph.add(Step("CargoCompileCheck", [stamp], [generated[0], *crate_sources(rust)],
                               depends=[generated[1], *checks], side_effects=[f"{out}/Cargo.lock"]))
        return stamp


NATIVE_SUFFIX = ".native-libs"


def crate_sources(manifests: list) -> list[str]:
    """The member crates' sources (``*.rs``, Cargo.toml, Cargo.lock, build.rs): editing one rebuilds."""
    skip = {"target", ".git"}
    files = []
    for m in manifests:
        files += sorted(str(p) for p in m.crate.rglob("*")
                        if p.is_file() and not skip & set(p.relative_to(m.crate).parts)
                        and (p.suffix == ".rs" or p.name in ("Cargo.toml", "Cargo.lock", "build.rs")))
    return files


#: kind name -> its strategy, in the order a selection's libraries are planned and linked.
KINDS: dict[str, Kind] = {
    "c": SconsArchive("c", False, "define it in one of the library's sources with external linkage"),
    "cxx": SconsArchive("cxx", True, "define it in one of the library's sources inside `extern \"C\"` "
                                     "and not `static`"),
    "cargo": Cargo(),
}


def of(manifest) -> Kind:
    """The strategy of a manifest's kind (manifests are validated: the kind is known)."""
    return KINDS[manifest.kind]
