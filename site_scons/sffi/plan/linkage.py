"""Linkage strategies: how a selection's built libraries become part of a runtime.

Where a new linkage plugs in: a class with ``name`` and :meth:`plan_runtime`
(the signature of :meth:`StaticLinkage.plan_runtime`), registered in
:data:`LINKAGES`; :class:`sffi.plan.planner.Planner` takes the linkage by
name. The ``module`` linkage (each library a shared object with its own
table and descriptor, loaded on first use; DESIGN.md, "Two linkages, one
manifest") plans per library, not per runtime: sffi.plan.modules
(docs/modules.md); docs/build.md says what such a strategy must plan.

:class:`StaticLinkage` (``static``, the one today: DESIGN.md's "compile-in")
links every library's archive into the runtime binary, with the system
libraries its dependencies need.
"""

from __future__ import annotations

import dataclasses
import os

from sffi.plan import kinds
from sffi.plan.graph_model import EnvSpec, Step


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


class StaticLinkage:
    """Compile-in: the libraries' archives linked statically into the runtime."""

    name = "static"

    def plan_runtime(self, planner, directory: str, manifests: list, built: list, table_c: str):
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
        found = {m.name: planner.dependencies(m) for m in manifests}
        static, libs, libpath, rpath, flags = system_inputs(manifests, found)
        table_obj = f"{directory}/sffi_table.o"
        planner.graph.add(Step("StaticObject", [table_obj], [table_c]))
        archives = [a for b in built for a in b.link_inputs]
        natives = [b.native_file for b in built if b.native_file]
        # The interpreter itself needs libm (fmod) and POSIX threads (scripts run on a big-stack thread).
        line = LinkLine("$CXX" if any(kinds.of(m).links_with_cxx for m in manifests) else "$CC",
                        [table_obj, *planner.runtime_objects(), *archives, *static],
                        libs + ["m"], libpath, rpath, flags + ["-pthread"], natives[0] if natives else None)
        program = f"{directory}/simple"
        env = planner.graph.env(f"link:{directory}", EnvSpec(
            append={"LIBPATH": line.libpath, "RPATH": line.rpath, "LINKFLAGS": line.flags},
            replace={"LINK": "$CXX"} if line.linker == "$CXX" else {}))
        planner.graph.add(Step("Program", [program], line.inputs, env=env,
                               vars={"LIBS": line.libs, "SFFI_RUST_NATIVE_FILE": line.native_file or ""},
                               depends=[line.native_file] if line.native_file else [],
                               values=kinds.fingerprints([f for m in manifests for f in found[m.name]])))
        return program, line


#: linkage name -> strategy
LINKAGES = {"static": StaticLinkage()}
