"""The planned build graph as plain data: steps, environments, build products.

A :class:`Step` is one SCons builder call to be made: the builder's name, its
target and source paths (strings relative to the project root, as SCons takes
them; a source may be another step's target), the environment it runs in and
the construction variables it carries. :mod:`sffi.plan.graph` turns the steps
into SCons nodes; the unit tests read them as they are, without SCons and
without a compiler.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class EnvSpec:
    """How an environment differs from the base one.

    ``append``: construction variable -> values appended (CCFLAGS, LIBS, ...);
    ``replace``: construction variable -> value set (LINK = ``$CXX``).
    """

    append: dict = dataclasses.field(default_factory=dict)
    replace: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Step:
    """One builder call.

    Attributes:
        builder: the environment method (``StaticObject``, ``SffiCheck``, ...).
        targets, sources: paths relative to the project root.
        env: the name of its environment in :attr:`Graph.envs` (``base``: unchanged).
        vars: construction variables passed to the builder call (overrides).
        depends: extra dependencies (paths) that are not sources.
        values: strings each made a Value node the targets depend on (dependency
            fingerprints: a change rebuilds the targets).
        side_effects: files the step writes besides its targets (serialised under -j).
        always: built on every run and never cached (the matrix's smokes and timings).
    """

    builder: str
    targets: list
    sources: list
    env: str = "base"
    vars: dict = dataclasses.field(default_factory=dict)
    depends: list = dataclasses.field(default_factory=list)
    values: list = dataclasses.field(default_factory=list)
    side_effects: list = dataclasses.field(default_factory=list)
    always: bool = False

    @property
    def target(self) -> str:
        """The first target (the step's key in the graph)."""
        return self.targets[0]


@dataclasses.dataclass
class Built:
    """What building one or more libraries produced.

    Attributes:
        artifacts: library -> the file its export check scans (archive or rlib).
        link_inputs: what a runtime linking these libraries links (archives, staticlib).
        checks: extra check stamps of the product (the Rust signature check).
        native_file: the file holding the native libraries rustc reported, or None.
    """

    artifacts: dict
    link_inputs: list
    checks: list
    native_file: str | None = None


class Graph:
    """The planned steps (in planning order, one per first target) and their environments."""

    def __init__(self):
        self.steps: dict[str, Step] = {}
        self.envs: dict[str, EnvSpec] = {"base": EnvSpec()}
        self._owner: dict[str, Step] = {}

    def add(self, step: Step) -> Step:
        """Add a step; a step for a target already planned is the one kept (planned once)."""
        if step.target in self._owner:
            return self._owner[step.target]
        self.steps[step.target] = step
        for t in step.targets:
            self._owner[t] = step
        return step

    def env(self, name: str, spec: EnvSpec) -> str:
        """Register environment ``name`` (first registration wins); returns the name."""
        self.envs.setdefault(name, spec)
        return name

    def producer(self, path: str) -> Step | None:
        """The step that has ``path`` among its targets, or None (a source file)."""
        return self._owner.get(path)

    def by_builder(self, builder: str) -> list[Step]:
        """The steps of one builder, in planning order."""
        return [s for s in self.steps.values() if s.builder == builder]
