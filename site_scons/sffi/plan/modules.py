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
from sffi.plan.graph_model import Step
from sffi.plan.linkage import LINKAGES


def plan_module(planner, m, install: bool = True) -> list[str]:
    """Plan the module of library ``m`` (a Manifest); returns [module, installed copy]
    (``install=False``, as ``scons matrix`` plans it: [module], nothing copied to build/lib/sffi/).

    The library's kind builds it for the ``module`` linkage (sffi.plan.linkage.ModuleLinkage),
    which links it; the rebuild command its descriptor carries names the variant's options
    (``--mode``, and ``--sanitize`` when it has one).

    Raises:
        SffiError: a source glob of the manifest that matches nothing.
    """
    layout, linkage = planner.layout, LINKAGES["module"]
    table_c, script = layout.module_table_c(m.name), layout.module_exports_map(m.name)
    planner.graph.add(Step("SffiModuleTable", [table_c, script], [str(m.path), *map(str, m.declarations)],
                           vars={"SFFI_MANIFEST": m, "SFFI_BUILD_ID": layout.variant.name,
                                 "SFFI_REBUILD": f"scons runtime --modules={m.name} {layout.variant.options()}"}))
    built = kinds.of(m).plan(planner, [m], linkage)
    module, _ = linkage.link(planner, layout.module_dir(m.name), [m], built, table_c)
    if not install:
        return [module]
    installed = layout.installed_module(m.name)
    planner.graph.add(Step("SffiInstall", [installed], [module]))
    return [module, installed]
