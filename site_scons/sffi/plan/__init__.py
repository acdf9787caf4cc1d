"""The build graph as importable, testable code (docs/build.md).

* :mod:`~sffi.plan.layout`: where every output goes (``build/<variant>/...``);
* :mod:`~sffi.plan.kinds`: per-kind build strategies (C, C++, cargo);
* :mod:`~sffi.plan.linkage`: how built libraries become part of a runtime (``static``;
  issue 14 adds ``module`` here);
* :mod:`~sffi.plan.planner`: the steps of each selection (plain data, :mod:`~sffi.plan.graph_model`);
* :mod:`~sffi.plan.matrix_plan`: ``scons matrix``;
* :mod:`~sffi.plan.deps`, :mod:`~sffi.plan.facts`, :mod:`~sffi.plan.records`: dependency
  detection, declarations and check results, each computed once per build;
* :mod:`~sffi.plan.sconsgraph`, :mod:`~sffi.plan.targets`, :mod:`~sffi.plan.actions`: the
  SCons side (environment, nodes, aliases, action helpers).

Only the last three import SCons; everything else is plain Python that unit tests import.
"""
