"""The ``sffi`` SCons tool: one front end over :mod:`sffi.plan`, for any project (docs/hostkit.md).

A project declares its FFI libraries by ``sffi.toml`` manifests, one folder each
under its ``ffi_root``, and its SConstruct loads the tool::

    import sffi
    env = Environment(tools=["default", "sffi"], toolpath=[sffi.TOOLPATH])
    project = env.SffiProject("ffi_libs", build_dir="build/sffi")
    host = project.host_env(env).Program("build/host", ["host.c"])

``sffi.TOOLPATH`` is the directory holding the installed package, so SCons
finds the tool as the package itself (``sffi/__init__.py`` defines
``generate`` and ``exists``, which delegate here). Loading it adds the Sffi*
builders and cargo's (sffi.tools) and ``env.SffiProject``.

``env.SffiProject`` plans through :class:`sffi.plan.planner.Planner`, under a
:class:`sffi.plan.layout.Layout` rooted at ``build_dir``, exactly as this
repository's own build: every kind of library (``c`` and ``cxx`` compiled with
their generated prototype header force-included, so a definition whose C
signature differs from its declaration does not compile; Rust crates of kind
``cargo`` in one umbrella staticlib), their ``[[dependency]]`` tables (pkg-config
and the toolchain detectors, before anything compiles), the export check of each
library, the clash check and the extern table, and the host kit
(``build_dir/hostkit``, alias ``hostkit``). Given a runtime directory it also
plans a runtime (the static linkage and its audit) and loadable modules.

This repository's SConstruct is such a project: it passes ``plan_all=False`` and
an environment from :func:`sffi.plan.sconsgraph.make_env`, and plans its
``--with`` selection, its modules, the matrix and the kit step by step through
the :class:`Project` returned.
"""

from __future__ import annotations

import os

import SCons.Errors
from SCons.Script import GetOption

from sffi import toolchain
from sffi import manifest as manifest_mod
from sffi.errors import SffiError
from sffi.plan import kinds, sconsgraph, targets
from sffi.plan.deps import Dependencies
from sffi.plan.layout import Layout, Variant
from sffi.plan.planner import Planner


class Project:
    """A project's FFI libraries, planned on :mod:`sffi.plan` (what ``env.SffiProject`` returns).

    Attributes:
        env: the environment the nodes are made in.
        known: every library, name -> sffi.manifest.Manifest (kinds checked).
        layout: the build layout (its root is ``build_dir``).
        planner: the Planner; ``deps`` its dependency detection.

    After ``plan_all`` (the default of ``env.SffiProject``): ``libraries`` (sorted names),
    ``archives``, ``table_c``, ``table_json`` (nodes), ``hostkit`` (the kit's nodes),
    ``kit_dir``, ``link`` (sffi.hostkit.linkline.LinkLine: what follows the kit's archive),
    ``selection`` (the SelectionPlan) and ``native_file`` (the Rust native-libs file, or None).
    """

    def __init__(self, env, known: dict, layout: Layout, root: str, deps: Dependencies | None = None):
        self.env, self.known, self.layout = env, known, layout
        self.deps = deps or Dependencies(toolchain.find)
        self.planner = Planner(known, layout, self.deps, root)
        self.libraries, self.archives, self.hostkit, self.link = [], [], [], None
        self.table_c = self.table_json = self.selection = self.native_file = None
        self.kit_dir = f"{layout.root}/hostkit"

    def manifests(self, names: list[str]) -> list:
        """The manifests of ``names``."""
        return [self.known[n] for n in names]

    def start(self, names: list[str]) -> None:
        """Begin detecting the dependencies of ``names`` in the background."""
        self.deps.start(self.manifests(names))

    def require(self, names: list[str]) -> None:
        """Stop before anything compiles when a dependency of ``names`` is missing.

        Raises:
            SffiError: each missing dependency, its library and its install command.
        """
        self.deps.require(self.manifests(names))

    def runtime(self, names: list[str]) -> dict[str, list[str]]:
        """Plan the runtime of selection ``names`` (core first) with its ``runtime``, ``ffi`` and
        ``report`` targets; returns alias -> targets (for :meth:`define`). The SelectionPlan is
        ``self.selection`` after.

        Raises:
            SffiError: a source glob of a manifest that matches nothing.
        """
        self.selection = self.planner.selection(names)
        return targets.runtime_aliases(self.planner, self.selection)

    def module(self, name: str, install: bool = True) -> list[str]:
        """Plan library ``name`` as a loadable module (docs/modules.md); returns [module, installed copy].

        Raises:
            SffiError: a source glob of the manifest that matches nothing.
        """
        from sffi.plan.modules import plan_module
        return plan_module(self.planner, self.known[name], install)

    def matrix(self, path: str, only: str, strict: bool, run_id: str) -> dict[str, list[str]]:
        """Plan ``scons matrix`` from the matrix file ``path`` (docs/matrix.md); returns alias -> targets.

        Args:
            only: the ``--matrix-only`` names (empty: every selection).
            strict: a library that cannot be built fails even where the file marks it optional.
            run_id: names this run's scratch files.
        Raises:
            SffiError: the matrix file is invalid (the message names it).
        """
        from sffi.plan import matrix_plan
        from sffi.report import matrix as matrix_mod
        from sffi.report import matrix_file
        loaded = matrix_file.load(path, list(self.known), str(self.planner.root))
        plan = matrix_plan.plan_matrix(self.planner, loaded, loaded.only(only), bool(only), strict, run_id)
        return targets.matrix_aliases(
            self.planner, plan, lambda failures: matrix_mod.publish_after_failure(plan, self.layout, failures))

    def materialize(self) -> None:
        """Make the SCons nodes of everything planned so far (once, after all planning)."""
        sconsgraph.materialize(self.env, self.planner.graph)

    def kit(self, sel=None, kit_dir: str | None = None) -> list:
        """The host kit of a planned selection (default: ``self.selection``), after :meth:`materialize`;
        in ``kit_dir`` (default: the selection's ``hostkit/``). Returns its hostkit.json node list."""
        from sffi.hostkit import scons as hostkit_scons
        return hostkit_scons.selection_kit(self.env, sel or self.selection, kit_dir)

    def define(self, aliases: dict[str, list[str]]) -> None:
        """The aliases (``runtime`` the default; ``scons -c`` of it removes the build root)."""
        targets.define(self.env, aliases)

    def plan_all(self) -> None:
        """Every library (no runtime): archives, checks, table and the host kit in :attr:`kit_dir`,
        alias ``hostkit``; fills the attributes an outside project reads.

        Raises:
            SffiError: a dependency is missing, or a source glob matches nothing.
        """
        from sffi.hostkit import scons as hostkit_scons
        names = sorted(self.known)
        self.start(names)
        if not (GetOption("clean") or GetOption("help")):
            self.require(names)
        sel = self.planner.libraries(names)
        self.materialize()
        self.selection, self.libraries = sel, names
        self.archives = [self.env.File(a) for a in sel.link.inputs if str(a).endswith(".a")]
        self.table_c, self.table_json = self.env.File(sel.table_c), self.env.File(sel.table_json)
        self.native_file = sel.link.native_file
        self.link = hostkit_scons.kit_line(sel)
        self.hostkit = self.kit(sel, self.kit_dir)
        self.env.Alias("hostkit", self.hostkit)

    def host_env(self, env):
        """A clone of ``env`` that compiles against the kit's headers and links its archive, the
        system libraries after it and (with Rust crates) the native libraries rustc reported."""
        from sffi.hostkit import linkline
        henv = env.Clone()
        henv.AppendUnique(CPPPATH=[f"{self.kit_dir}/include"], LIBPATH=[f"{self.kit_dir}/lib", *self.link.libpath])
        henv.Append(LIBS=[linkline.ARCHIVE_NAME, *self.link.system_libs], LINKFLAGS=list(self.link.linkflags),
                    RPATH=list(self.link.rpath))
        if self.native_file:
            sconsgraph.link_rust_native(henv, self.env.File(self.native_file).abspath)
        if self.link.cxx:
            henv["LINK"] = "$CXX"
        return henv


def _prepare(env, layout: Layout, root: str):
    """A clone of an outside project's ``env`` for sffi's nodes: the ABI headers, C11, cargo's
    settings and the environment cargo and pkg-config need (PATH, HOME, ...)."""
    from sffi.hostkit import kit as kit_mod
    penv = env.Clone()
    runtime_include = os.path.join(root, "runtime", "include")  # the runtime's ABI headers, when it is built
    penv.AppendUnique(CPPPATH=[runtime_include] if os.path.isdir(runtime_include) else [str(kit_mod.ABI_INCLUDE)])
    penv.Append(CFLAGS=["-std=c11"])
    for key in sconsgraph.PASSTHROUGH:
        if key in os.environ:
            penv["ENV"][key] = os.environ[key]
    penv["CARGO_PROFILE"] = "release" if layout.variant.mode == "release" else "dev"
    penv["CARGO_TARGET_DIR"] = os.path.join(root, layout.cargo_target_dir)
    sconsgraph.link_rust_native(penv)
    sconsgraph.reproducible(penv, root)
    return penv


def _discover(ffi_root: str) -> dict:
    found = kinds.discover(ffi_root)
    if not found:
        raise SffiError(f"no library manifest (*/{manifest_mod.MANIFEST_NAME}) under {ffi_root}; "
                        f"give env.SffiProject the folder that holds one folder per library")
    return found


def sffi_project(env, ffi_root: str = "ffi_libs", build_dir: str = "build/sffi", *, variant: Variant | None = None,
                 runtime: str | None = None, plan_all: bool = True, prepared: bool = False,
                 deps: Dependencies | None = None) -> Project:
    """The libraries under ``ffi_root`` (``*/sffi.toml``), planned on sffi.plan.

    Args:
        ffi_root: the folder holding one sub-folder per library (relative to the SConstruct).
        build_dir: the build root: ``<variant>/libs``, ``<variant>/sel``, ``hostkit/``,
            ``.detect-cache.json`` (sffi.plan.layout).
        variant: mode and sanitizer (default: release, none).
        runtime: the directory holding ``runtime/src`` (this repository's root), for
            :meth:`Project.runtime` and the matrix; None: the libraries, table and kit alone.
        plan_all: plan every library, its check, the table and the host kit now (alias
            ``hostkit``); False: plan step by step through the Project's methods.
        prepared: ``env`` already carries the build's settings (sffi.plan.sconsgraph.make_env);
            otherwise sffi's nodes are made in a clone of ``env`` with the ABI headers, C11 and
            cargo's settings added.
        deps: the dependency detection to use (one that already detected some libraries, whose
            results and ``DEP`` lines are not repeated; its caller has configured
            ``sffi.toolchain.runcache``); default: a new one, with the cache under ``build_dir``.

    Returns:
        Project.

    Raises:
        SCons.Errors.UserError: a manifest is invalid, a dependency is missing or a source glob
            matches nothing (the message names the file and the fix); with ``plan_all=False``
            the SffiError itself, for the caller to report.
    """
    layout = Layout(variant or Variant(), build_dir.rstrip("/"))
    root = runtime or env.Dir("#").abspath
    if deps is None:  # a caller that brings its detection has configured its cache
        toolchain.runcache.configure(layout.detect_cache, write=not (
            GetOption("no_exec") or GetOption("question") or GetOption("clean") or GetOption("help")))
    try:
        known = _discover(env.Dir(ffi_root).abspath)
        project = Project(env if prepared else _prepare(env, layout, root), known, layout, root, deps)
        if plan_all:
            project.plan_all()
    except SffiError as exc:
        if not plan_all:
            raise
        raise SCons.Errors.UserError(str(exc)) from exc
    return project


def generate(env):
    """Add the Sffi* builders, cargo's (sffi.tools) and ``env.SffiProject`` (:func:`sffi_project`)."""
    from sffi import tools
    env.Tool("cargo", toolpath=[tools.TOOLPATH])
    env.Tool("sffi_rules", toolpath=[tools.TOOLPATH])
    env.AddMethod(sffi_project, "SffiProject")


def exists(env):
    """Always available: the toolkit is pure Python (a C compiler is needed to build)."""
    return True
