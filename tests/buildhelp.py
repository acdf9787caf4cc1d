"""Helpers for tests that run SCons builds (imported by conftest.py and the integration tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # fuzz/, scripts/

from sffi import selection as selection_mod  # noqa: E402
from sffi.manifest import discover  # noqa: E402
from sffi.plan import layout  # noqa: E402  (every path under build/ is spelled there)

BUILD = ROOT / layout.BUILD_ROOT


def scons(args: list[str], cwd: Path = ROOT, check: bool = True, timeout: float = 1800,
          env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m SCons ARGS`` in ``cwd`` (in ``env``, default this process's environment);
    on failure (with check) fail the test with its output."""
    proc = subprocess.run([sys.executable, "-m", "SCons", "-Q", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env=env)
    if check and proc.returncode != 0:
        pytest.fail(f"scons {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}")
    return proc


def runtime_path(selection: str, variant: str = "release", root: Path = ROOT) -> Path:
    """Where ``scons runtime --with=<selection>`` puts the runtime."""
    known = list(discover(root / "ffi_libs"))
    name = selection_mod.variant_name(selection_mod.parse_with(selection, known))
    return layout.selection_runtime(root / layout.BUILD_ROOT, variant, name)


def install_with_module(core: Path, library: str, prefix: Path, variant: str = "release") -> Path:
    """A core-only runtime installed as ``prefix/bin/simple`` beside the module of ``library`` in
    ``prefix/lib/sffi/`` (its default module directory, docs/modules.md); returns the runtime.

    The module must have been built (``build_runtime("none", modules=library)``).
    """
    import shutil

    runtime, modules = layout.installed_runtime(prefix), layout.installed_modules_dir(prefix)
    runtime.parent.mkdir(parents=True, exist_ok=True)
    modules.mkdir(parents=True, exist_ok=True)
    shutil.copy2(core, runtime)
    module = module_path(library, variant)
    shutil.copy2(module, modules / module.name)
    return runtime


def module_path(library: str, variant: str = "release", root: Path = ROOT) -> Path:
    """Where ``scons runtime --modules=<library>`` builds the module."""
    return root / layout.Layout(variant).module(library)
