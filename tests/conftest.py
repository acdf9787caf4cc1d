"""Shared fixtures: real runtimes built with SCons, once per test session.

``build_runtime(selection)`` runs ``scons runtime --with=<selection>`` in the
repository (outputs under build/, shared with the user's own builds) and
returns the path of that selection's runtime. Builds are serialized with a
file lock so pytest-xdist workers, if used, do not race.

Under CI (``CI=true``) the cipolicy plugin (tests/cipolicy.py) fails every
skip whose reason is not on tests/skips-allowed.toml, and the countfloor plugin
(tests/countfloor.py) holds each area to its floor of collected and run tests
(tests/expected-counts.toml); neither may be turned off with ``-p no:NAME``.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from buildhelp import BUILD, runtime_path, scons  # noqa: E402
from sffi.plan import layout  # noqa: E402

pytest_plugins = ("cipolicy", "countfloor")  # cipolicy.GUARDS


def pytest_configure(config) -> None:
    import cipolicy  # here: imported before pytest_plugins registers it, it would not be assertion-rewritten

    if cipolicy.under_ci():
        cipolicy.refuse_blocked_guards(config.pluginmanager)


@pytest.fixture(scope="session")
def build_runtime():
    """Factory: ``build_runtime("sqlite", mode="release", sanitize=False, modules="") -> Path`` of the
    built runtime; ``modules`` also builds those libraries as modules (docs/modules.md), under
    build/<variant>/modules/<lib>/libsffi_<lib>.so."""
    built: dict[tuple, Path] = {}

    def build(selection: str = "none", mode: str = "release", sanitize: bool = False, modules: str = "") -> Path:
        key = (selection, mode, sanitize, modules)
        if key not in built:
            args = ["runtime", f"--with={selection}", f"--mode={mode}", f"-j{os.cpu_count() or 2}"]
            if modules:
                args.append(f"--modules={modules}")
            if sanitize:
                args.append("--sanitize=address")
            BUILD.mkdir(exist_ok=True)
            with open(BUILD / ".test-lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                scons(args)
            variant = layout.variant_name(mode, "address" if sanitize else "none")
            built[key] = runtime_path(selection, variant)
        return built[key]

    return build


@pytest.fixture(scope="session")
def simple_runtime(build_runtime) -> Path:
    """The core-only runtime (``--with=none``, release)."""
    return build_runtime("none")


@pytest.fixture(scope="session")
def simple_runtime_asan(build_runtime) -> Path:
    """The core-only runtime built with ``--mode=debug --sanitize=address``."""
    return build_runtime("none", mode="debug", sanitize=True)
