"""The build graph as importable, testable code (docs/build.md).

* :mod:`~sffi.plan.layout`: where every output goes (``build/<variant>/...``);
* :mod:`~sffi.plan.kinds`: per-kind build strategies (C, C++, cargo), the one place that names a kind;
* :mod:`~sffi.plan.linkage`: how built libraries become part of a product: ``static`` (into a
  selection's runtime) and ``module`` (a loadable ``libsffi_<lib>.so``), one interface;
* :mod:`~sffi.plan.flags`: compile flags as units, each carried once on a line;
* :mod:`~sffi.plan.planner`: the steps of each selection (plain data, :mod:`~sffi.plan.graph_model`);
* :mod:`~sffi.plan.modules`: a library's module (its table, the ``module`` linkage, its install);
* :mod:`~sffi.plan.matrix_plan`: ``scons matrix``;
* :mod:`~sffi.plan.deps`, :mod:`~sffi.plan.facts`, :mod:`~sffi.plan.records`: dependency
  detection, declarations and check results, each computed once per build;
* :mod:`~sffi.plan.sconsgraph`, :mod:`~sffi.plan.targets`, :mod:`~sffi.plan.actions`: the
  SCons side (environment, nodes, aliases, action helpers).

Only the last three import SCons; everything else is plain Python that unit tests import.
"""
