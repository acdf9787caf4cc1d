"""Shared fixtures: real runtimes built with SCons, once per test session.

``build_runtime(selection)`` runs ``scons runtime --with=<selection>`` in the
repository (outputs under build/, shared with the user's own builds) and
returns the path of that selection's runtime. Builds are serialized with a
file lock so pytest-xdist workers, if used, do not race.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # toolchain/

from sffi import selection as selection_mod  # noqa: E402
from sffi.manifest import discover  # noqa: E402


def scons(args: list[str], cwd: Path = ROOT, check: bool = True, timeout: float = 1800) -> subprocess.CompletedProcess:
    """Run ``python -m SCons ARGS`` in ``cwd``; on failure (with check) fail the test with its output."""
    proc = subprocess.run([sys.executable, "-m", "SCons", "-Q", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        pytest.fail(f"scons {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}")
    return proc


def runtime_path(selection: str, variant: str = "release", root: Path = ROOT) -> Path:
    """Where ``scons runtime --with=<selection>`` puts the runtime."""
    known = list(discover(root / "ffi_libs"))
    name = selection_mod.variant_name(selection_mod.parse_with(selection, known))
    return root / "build" / variant / "sel" / name / "simple"


@pytest.fixture(scope="session")
def build_runtime():
    """Factory: ``build_runtime("sqlite", mode="release", sanitize=False) -> Path`` of the built runtime."""
    built: dict[tuple, Path] = {}

    def build(selection: str = "none", mode: str = "release", sanitize: bool = False) -> Path:
        key = (selection, mode, sanitize)
        if key not in built:
            args = ["runtime", f"--with={selection}", f"--mode={mode}", f"-j{os.cpu_count() or 2}"]
            if sanitize:
                args.append("--sanitize=address")
            (ROOT / "build").mkdir(exist_ok=True)
            with open(ROOT / "build" / ".test-lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                scons(args)
            variant = mode + ("-asan" if sanitize else "")
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
