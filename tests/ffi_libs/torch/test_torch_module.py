"""The torch library as a module (``scons runtime --with=none --modules=torch``, docs/modules.md).

A core-only runtime with the torch module on its path must not load libtorch
for a script that declares nothing from torch (the loader's LD_DEBUG=files
output lists every object it opens), and must find libtorch through the
module's RUNPATH, without LD_LIBRARY_PATH, for a script that does.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from buildhelp import ROOT
from sffi import module_table
from sffi.plan import layout
from sffi.toolchain import DependencyMissing
from sffi.toolchain import libtorch as libtorch_detector

try:
    libtorch_detector.detect(prefer_static=False)
    MISSING = None
except DependencyMissing as exc:  # pragma: no cover - depends on the machine
    MISSING = str(exc)

if MISSING is not None:  # pragma: no cover - depends on the machine
    pytest.skip(f"libtorch not available: {MISSING}", allow_module_level=True)

TORCH_SCRIPT = """\
extern fn rt_torch_tensor_ones(dims: [i64]) -> i64
extern fn rt_torch_torchtensor_sum(handle: i64) -> f64
extern fn rt_torch_torchtensor_free(handle: i64)
val t = rt_torch_tensor_ones([2, 3])
print rt_torch_torchtensor_sum(t)
rt_torch_torchtensor_free(t)
"""


@pytest.fixture(scope="module")
def core_with_torch_module(build_runtime) -> tuple[Path, Path]:
    core = build_runtime("none", modules="torch")
    return core, ROOT / layout.Layout("release").module_dir("torch")


def run(runtime: Path, module_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "SIMPLE_FFI_PATH")}
    env.update(SIMPLE_FFI_PATH=str(module_dir), LD_DEBUG="files")
    return subprocess.run([str(runtime), *args], capture_output=True, text=True, timeout=120, env=env)


def opened(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in proc.stderr.splitlines() if "file=" in line]


@pytest.mark.slow
def test_a_script_without_torch_externs_does_not_load_libtorch(core_with_torch_module):
    proc = run(*core_with_torch_module, "-e", "print 1")
    assert proc.returncode == 0 and proc.stdout == "1\n"
    assert not [line for line in opened(proc) if "libtorch" in line or "libsffi_torch" in line]


@pytest.mark.slow
def test_a_torch_script_loads_the_module_and_finds_libtorch_by_runpath(core_with_torch_module):
    proc = run(*core_with_torch_module, "-e", TORCH_SCRIPT)
    assert (proc.returncode, proc.stdout) == (0, "6\n"), proc.stderr[-2000:]
    assert any("libsffi_torch.so" in line for line in opened(proc))
    assert any("libtorch_cpu.so" in line for line in opened(proc))


@pytest.mark.slow
def test_torch_module_descriptor(core_with_torch_module):
    facts, _ = module_table.read_module(core_with_torch_module[1] / "libsffi_torch.so")
    declared = (ROOT / "ffi_libs" / "torch" / "torch.spl").read_text()
    assert facts.library == "torch" and facts.abi_version == 2
    assert len(facts.entries) == declared.count("extern fn ")
