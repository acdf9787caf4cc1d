"""Linkage strategies: how built libraries become part of a runtime.

A linkage is a class with the interface of :class:`Linkage`, registered in
:data:`LINKAGES`. It says how a C/C++ kind compiles for it (:attr:`~Linkage.compile_builder`,
:meth:`~Linkage.object`), what becomes of the objects (:meth:`~Linkage.collect`: the
archive step) and how the product is linked (:meth:`~Linkage.link`); the kinds
(sffi.plan.kinds) call the first three, so each kind's steps serve every linkage.

* :class:`StaticLinkage` (``static``, DESIGN.md's "compile-in"): every library's
  archive linked into the runtime binary of a selection, with the system
  libraries its dependencies need (:class:`sffi.plan.planner.Planner`).
* :class:`ModuleLinkage` (``module``, DESIGN.md's "Two linkages, one manifest"):
  one library as a loadable shared object with its own table and descriptor
  (sffi.plan.modules plans the table and the copy beside ``build/bin/simple``;
  docs/modules.md).

docs/build.md says what such a strategy must plan.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from sffi.plan import kinds
from sffi.plan.graph_model import Built, EnvSpec, Step


@dataclasses.dataclass
class LinkLine:
    """The runtime's link, as planned.

    Attributes:
        linker: ``$CC``, or ``$CXX`` when a C++ library is linked.
        inputs: objects and archives in link order (table, runtime, libraries, system archives).
        libs: ``-l`` names, in order, repeats dropped.
        libpath, rpath, flags: ``-L`` directories, ``-Wl,-rpath`` directories, other linker flags.
        native_file: the file of native libraries rustc reported (read when the link runs), or None.
    """

    linker: str
    inputs: list
    libs: list
    libpath: list
    rpath: list
    flags: list
    native_file: str | None = None


def system_inputs(manifests: list, found_by_lib: dict) -> tuple[list, list, list, list, list]:
    """System link settings of a selection: (static archives, -l names, LIBPATH, RPATH, LINKFLAGS).

    A library's ``[link] libs`` name that one of its dependencies links as a
    static archive (``lib<name>.a``) is not linked again with ``-l``.
    """
    static, libs, libpath, rpath, flags = [], [], [], [], []
    for m in manifests:
        statics = []
        for f in found_by_lib[m.name]:
            statics += f.static_archives
            libs += f.libs
            libpath += f.libpath
            rpath += f.rpath
            flags += f.linkflags
        have = {os.path.basename(a)[3:-2] for a in statics}  # lib<name>.a -> name
        static += statics
        libs += [lib for lib in m.link_libs if lib not in have]
    dedup = lambda xs: list(dict.fromkeys(xs))  # noqa: E731
    return static, dedup(libs), dedup(libpath), dedup(rpath), dedup(flags)


class Linkage:
    """The interface of a linkage strategy (see the module docstring)."""

    name = ""
    #: the builder that compiles a C/C++ source for this linkage
    compile_builder = ""
    #: the suffix of those objects (SCons's default for the builder)
    object_suffix = ""

    def object(self, layout, library: str, relative_source: Path) -> str:
        """The object of one of ``library``'s sources (relative to its folder)."""
        raise NotImplementedError

    def collect(self, planner, m, objects: list[str]) -> Built:
        """What the compiled objects of C/C++ library ``m`` become (its archive, or themselves)."""
        raise NotImplementedError

    def line(self, planner, manifests: list, built: list) -> LinkLine:
        """The libraries' own link line, without a product (a host kit's); the static linkage has one."""
        raise NotImplementedError

    def link(self, planner, directory: str, manifests: list, built: list, table_c: str):
        """Plan the product in ``directory``: the table ``table_c`` compiled, linked with the
        libraries' Built products. Returns (product path, LinkLine)."""
        raise NotImplementedError

    def _link_step(self, planner, builder: str, target: str, line: LinkLine, env_name: str, replace: dict,
                   depends: list[str], found: list) -> None:
        """Plan the link of ``target`` by SCons builder ``builder`` over ``line``, in the environment
        ``env_name`` (``line``'s paths and flags appended, ``replace`` replaced), depending on
        ``depends``, the Rust native-libs file and the dependencies' ``found`` fingerprints."""
        env = planner.graph.env(env_name, EnvSpec(
            append={"LIBPATH": line.libpath, "RPATH": line.rpath, "LINKFLAGS": line.flags}, replace=replace))
        native = [line.native_file] if line.native_file else []
        planner.graph.add(Step(builder, [target], line.inputs, env=env,
                               vars={"LIBS": line.libs, "SFFI_RUST_NATIVE_FILE": line.native_file or ""},
                               depends=[*depends, *native], values=kinds.fingerprints(found)))

    def _table_object(self, planner, directory: str, table_c: str) -> str:
        obj = f"{directory}/{Path(table_c).stem}{self.object_suffix}"
        planner.graph.add(Step(self.compile_builder, [obj], [table_c]))
        return obj


class StaticLinkage(Linkage):
    """Compile-in: the libraries' archives linked statically into the runtime."""

    name = "static"
    compile_builder = "StaticObject"
    object_suffix = ".o"

    def object(self, layout, library: str, relative_source: Path) -> str:
        return layout.object(library, relative_source) + self.object_suffix

    def collect(self, planner, m, objects: list[str]) -> Built:
        archive = planner.layout.archive(m.name)
        planner.graph.add(Step("StaticLibrary", [archive], objects, env=f"lib:{m.name}"))
        return Built({m.name: archive}, [archive], [])

    def line(self, planner, manifests: list, built: list) -> LinkLine:
        """The libraries' part of a static link, without a runtime: their archives, their
        dependencies' static archives and system settings (a host kit links these).

        Args:
            planner: the Planner (its dependencies).
            manifests: the libraries, in link order.
            built: the Built products of their kinds (:meth:`sffi.plan.kinds.Kind.plan`).
        Returns:
            LinkLine (inputs: the archives alone).
        """
        found = {m.name: planner.dependencies(m) for m in manifests}
        static, libs, libpath, rpath, flags = system_inputs(manifests, found)
        archives = [a for b in built for a in b.link_inputs]
        natives = [b.native_file for b in built if b.native_file]
        return LinkLine("$CXX" if any(kinds.of(m).links_with_cxx for m in manifests) else "$CC",
                        [*archives, *static], libs, libpath, rpath, flags, natives[0] if natives else None)

    def link(self, planner, directory: str, manifests: list, built: list, table_c: str):
        """Plan the runtime ``directory/simple`` of one selection.

        Args:
            planner: the Planner (its layout, graph, dependencies, runtime objects).
            directory: the selection directory.
            manifests: the selected libraries, core first.
            built: the Built products of their kinds (:meth:`sffi.plan.kinds.Kind.plan`).
            table_c: the selection's generated table source.
        Returns:
            (program path, LinkLine).
        """
        libraries = self.line(planner, manifests, built)
        table_obj = self._table_object(planner, directory, table_c)
        # The interpreter itself needs libm (fmod) and POSIX threads (scripts run on a big-stack thread).
        line = LinkLine(libraries.linker, [table_obj, *planner.runtime_objects(), *libraries.inputs],
                        libraries.libs + ["m"], libraries.libpath, libraries.rpath, libraries.flags + ["-pthread"],
                        libraries.native_file)
        program = f"{directory}/simple"
        self._link_step(planner, "Program", program, line, f"link:{directory}",
                        {"LINK": "$CXX"} if line.linker == "$CXX" else {}, [],
                        [f for m in manifests for f in planner.dependencies(m)])
        return program, line


class ModuleLinkage(Linkage):
    """A loadable module: one library's position-independent objects (or its crate's umbrella
    staticlib) and its module table linked into ``libsffi_<lib>.so`` (docs/modules.md)."""

    name = "module"
    compile_builder = "SharedObject"
    object_suffix = ".os"

    def object(self, layout, library: str, relative_source: Path) -> str:
        return layout.module_object(library, relative_source) + self.object_suffix

    def collect(self, planner, m, objects: list[str]) -> Built:
        return Built({}, list(objects), [])

    def link(self, planner, directory: str, manifests: list, built: list, table_c: str):
        """Plan ``directory/libsffi_<lib>.so`` of the one library in ``manifests``: linked with its
        system libraries, a RUNPATH to their directories, ``-z defs``, ``-z now`` and the version
        script ``exports.map`` beside ``table_c``, which exports the module's descriptor alone.

        Returns:
            (module path, LinkLine).
        """
        (m,) = manifests
        layout = planner.layout
        found = planner.dependencies(m)
        static, libs, libpath, rpath, flags = system_inputs([m], {m.name: found})
        table_obj = self._table_object(planner, directory, table_c)
        natives = [b.native_file for b in built if b.native_file]
        script = layout.module_exports_map(m.name)
        line = LinkLine("$CXX" if kinds.of(m).links_with_cxx else "$CC",
                        [table_obj, *(i for b in built for i in b.link_inputs), *static], libs + ["m"], libpath, rpath,
                        flags + [f"-Wl,--version-script={script}", "-Wl,--enable-new-dtags", "-Wl,-z,defs",
                                 "-Wl,-z,now", "-pthread"], natives[0] if natives else None)
        module = layout.module(m.name)
        self._link_step(planner, "SharedLibrary", module, line, f"module:{m.name}",
                        {"SHLIBPREFIX": "", "SHLIBSUFFIX": "", "STATIC_AND_SHARED_OBJECTS_ARE_THE_SAME": 1,
                         **({"SHLINK": "$CXX"} if line.linker == "$CXX" else {})},
                        [script, *(c for b in built for c in b.checks)], found)
        return module, line


#: linkage name -> strategy
LINKAGES = {"static": StaticLinkage(), "module": ModuleLinkage()}
