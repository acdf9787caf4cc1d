"""`cargo test --offline` for every Rust crate under ffi_libs/ (each crate's own unit tests).

Crates are found by globbing ``ffi_libs/**/Cargo.toml``, so a crate added later
runs here without editing a list. Each builds into ``build/test/cargo/<crate>``
(never the crate's own ``target/``), offline: the crates have no third-party
dependencies and crates.io is not reachable.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from buildhelp import ROOT

CRATES = sorted(p.parent for p in (ROOT / "ffi_libs").glob("**/Cargo.toml") if "target" not in p.parts)
RESULT = re.compile(r"^test result: (\w+)\. (\d+) passed; (\d+) failed;", re.M)


@pytest.mark.slow
@pytest.mark.parametrize("crate", CRATES, ids=lambda p: str(p.relative_to(ROOT / "ffi_libs")))
def test_cargo_test_passes(crate: Path) -> None:
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.skip("cargo is not installed (scripts/bootstrap installs it)")
    target = ROOT / "build" / "test" / "cargo" / crate.relative_to(ROOT / "ffi_libs")
    proc = subprocess.run([cargo, "test", "--offline", "--color=never", "--target-dir", str(target)], cwd=crate,
                          capture_output=True, text=True, timeout=1800)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"cargo test failed in {crate}:\n{output[-8000:]}"
    results = RESULT.findall(proc.stdout)
    assert results and all(status == "ok" and failed == "0" for status, _, failed in results), output[-8000:]
    assert sum(int(passed) for _, passed, _ in results) > 0, f"{crate}: cargo test ran no test"
