"""Per-kind build strategies: the one place that decides how each kind of library is built.

A manifest's ``kind`` (``c``, ``cxx``, ``cargo``; docs/manifest.md) picks one
:class:`Kind` from :data:`KINDS` (:func:`of`, which also checks that the manifest
gives what its kind needs: ``sources`` or a ``crate``). A kind knows:

* how the libraries of that kind in one selection are built for a linkage
  (:meth:`Kind.plan`): C and C++ sources are compiled by SCons, once per linkage,
  the linkage taking the objects on (an archive per library for ``static``, the
  objects themselves for ``module``: sffi.plan.linkage); all the selection's Rust
  crates go into one umbrella staticlib (DESIGN.md, "Linking Rust crates"), since
  two Rust staticlibs in one binary clash;
* what the check scans for each library (its archive, or its crate's rlib);
* whether linking needs the C++ driver, and the hint an error gives for an
  extern that is declared but not defined.

Planning adds :class:`sffi.plan.graph_model.Step` s to the planner's graph and
never runs a compiler. Adding a kind is adding a class here and a line to
:data:`KINDS`; nothing else names a kind (tests/sffi/test_layers.py checks).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from pathlib import Path

from sffi import manifest as manifest_mod
from sffi.errors import SffiError
from sffi.plan import flags
from sffi.plan.graph_model import Built, EnvSpec, Step


class Kind:
    """One kind of library. Subclasses fill in the attributes, :meth:`plan` and :meth:`validate`."""

    name = ""
    #: the program is linked with ``$CXX`` when a library of this kind is in it
    links_with_cxx = False
    #: the sources are compiled by SCons with the generated prototype header force-included
    compiled_with_prototypes = False
    #: what to do about a declared extern that no artifact exports ({name} is filled in)
    define_hint = ""

    def plan(self, planner, manifests: list, linkage) -> list[Built]:
        """Plan the libraries of this kind in one selection for ``linkage`` (sffi.plan.linkage);
        returns one Built per build product."""
        raise NotImplementedError

    def validate(self, m) -> None:
        """Raise SffiError (naming the manifest and the key) when ``m`` lacks what this kind needs."""
        raise NotImplementedError


class SconsArchive(Kind):
    """C or C++: each library's sources compiled by SCons, the objects handed to the linkage
    (``libsffi_<lib>.a`` for ``static``)."""

    compiled_with_prototypes = True

    def __init__(self, name: str, links_with_cxx: bool, define_hint: str):
        self.name, self.links_with_cxx, self.define_hint = name, links_with_cxx, define_hint

    def validate(self, m) -> None:
        if m.crate is not None:
            raise SffiError(f"key 'crate': expected no 'crate' for kind '{self.name}' (list 'sources' instead)",
                            str(m.path))
        if not m.sources:
            raise SffiError("key 'sources': expected a list of strings (the key is missing)", str(m.path))

    def plan(self, planner, manifests: list, linkage) -> list[Built]:
        return [planner.once((linkage.name, "library", m.name),
                             lambda m=m: linkage.collect(planner, m, self.compile(planner, m, linkage)))
                for m in manifests]

    def compile(self, planner, m, linkage) -> list[str]:
        """The library's sources compiled as ``linkage`` wants them (its builder and object paths),
        each with the prototype header force-included; returns the objects."""
        layout = planner.layout
        found = planner.dependencies(m)
        env = f"lib:{m.name}"
        header = layout.prototypes(m.name)
        planner.graph.env(env, library_env(m, found, header))
        planner.graph.add(Step("SffiPrototypes", [header], [str(m.path), *map(str, m.declarations)],
                               vars={"SFFI_MANIFEST": m}))
        objects = []
        for src in m.source_files():  # SffiError (with the manifest's path) when a glob matches nothing
            obj = linkage.object(layout, m.name, src.relative_to(m.root))
            planner.graph.add(Step(linkage.compile_builder, [obj], [str(src)], env=env, depends=[header],
                                   values=fingerprints(found)))
            objects.append(obj)
        return objects


def library_env(m, found: list, header: str) -> EnvSpec:
    """The compile settings of one C/C++ library: its dependencies', its manifest's, the header.

    External dependencies' include directories become ``-isystem`` flags, not
    ``CPPPATH``: SCons scans only ``CPPPATH``, so libtorch's and OpenCV's tens of
    thousands of headers are not read on every run. Their version is tracked
    instead (:func:`fingerprints`): an upgrade changes it and recompiles.

    Each flag unit is carried once (sffi.plan.flags): ``CCFLAGS`` (on every compile
    line) first, then ``CXXFLAGS``/``CFLAGS`` without what ``CCFLAGS`` already has (the
    detectors name their include directories in both; libtorch's and the manifest both
    say ``-std=c++20``). The base environment's flags are taken out when the plan is
    materialized (sffi.plan.sconsgraph).
    """
    ccflags, defines, cxxflags = [], [], []
    for f in found:
        ccflags += list(f.ccflags)
        ccflags += [flag for d in f.cpppath if d not in _SYSTEM_INCLUDES for flag in ("-isystem", d)]
        defines += [d for d in f.cppdefines if d not in defines]
        cxxflags += list(f.cxxflags)
    given = set()
    ccflags = flags.unique(ccflags + ["-include", str(Path(header).absolute())], given)
    return EnvSpec(append={"CCFLAGS": ccflags, "CPPDEFINES": defines + list(m.cppdefines),
                           "CFLAGS": flags.unique(list(m.cflags), set(given)),
                           "CXXFLAGS": flags.unique(cxxflags + list(m.cxxflags), set(given))})


_SYSTEM_INCLUDES = ("/usr/include", "/usr/local/include")  # -isystem on these breaks #include_next


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

    def validate(self, m) -> None:
        if m.sources:
            raise SffiError("key 'sources': expected no 'sources' for kind 'cargo' (cargo finds them; set 'crate')",
                            str(m.path))
        if m.crate is None:
            raise SffiError("key 'crate': expected a string (the key is missing)", str(m.path))
        if not (m.crate / "Cargo.toml").is_file():
            raise SffiError(f"key 'crate': expected a directory holding Cargo.toml, got '{m.crate}'", str(m.path))
        _ = m.crate_name  # a malformed Cargo.toml is reported now, with its path

    def plan(self, planner, manifests: list, linkage) -> list[Built]:
        """The umbrella staticlib, the same for every linkage (rustc builds it position-independent)."""
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
    """The strategy of a manifest's kind.

    Raises:
        SffiError: the kind is unknown, or the manifest lacks what its kind needs (``sources``
            for C/C++, ``crate`` for cargo) or gives what it must not; the message names the file and key.
    """
    kind = KINDS.get(manifest.kind)
    if kind is None:
        raise SffiError(f"key 'kind': expected one of {', '.join(KINDS)}, got {manifest.kind!r}", str(manifest.path))
    _validate(kind, manifest, _crate_stamp(manifest))
    return kind


def _crate_stamp(manifest) -> tuple | None:
    try:
        st = os.stat(manifest.crate / "Cargo.toml") if manifest.crate is not None else None
    except OSError:
        return ()
    return (st.st_size, st.st_mtime_ns) if st else None


@functools.lru_cache(maxsize=None)
def _validate(kind: Kind, manifest, crate_stamp) -> None:
    """Each manifest checked once per process and state of its crate's Cargo.toml (read to check it)."""
    kind.validate(manifest)


def load(path):
    """``sffi.manifest.load(path)`` with its kind checked (:func:`of`): a manifest a build can use.

    Raises:
        SffiError: as sffi.manifest.load and :func:`of`.
    """
    m = manifest_mod.load(path)
    of(m)
    return m


def discover(ffi_root) -> dict:
    """``sffi.manifest.discover(ffi_root)`` with every library's kind checked (:func:`of`).

    Raises:
        SffiError: as sffi.manifest.discover and :func:`of`.
    """
    found = manifest_mod.discover(ffi_root)
    for m in found.values():
        of(m)
    return found


def built_by_scons(manifest) -> bool:
    """Whether SCons compiles the library itself (C, C++), not cargo."""
    return isinstance(of(manifest), SconsArchive)

