"""Simple's own Tier-2 contracts (issue 12) against the libraries we build.

``simple_core.spl``, ``simple_sqlite.spl`` and ``simple_torch.spl`` are Simple's declarations,
written exactly as the issue lists them (``simple_core.spl``: since issue 26, every extern
of Simple's std modules ``sffi/{env,fs,io,process,system}.spl``, in their style). A script that declares an extern that
way loads only if the runtime's table has the same name with the same
signature; these tests hold our libraries to that.

The build check runs ``sffi check`` on a manifest that is the library's own
except for its declarations: the contract file plus the library's other
declarations (those the contract does not name), written to a temporary file.
That union must equal what the library was built against, so the check is
clean (exit 0) exactly when every contract extern is exported and has the
signature the build type-checked; a contract extern that is missing is an
error, one whose signature differs makes the check report the build "stale".
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from buildhelp import ROOT  # also puts the project root (toolchain/) on sys.path
from sffi import toolchain  # noqa: E402
from sffi import decls

HERE = Path(__file__).resolve().parent / "contracts"  # Simple's declarations, one file per library
CONTRACTS = {  # library -> (contract file, its built artifact under build/release/libs/<lib>/)
    "core": (HERE / "simple_core.spl", "libsffi_core.a"),
    "sqlite": (HERE / "simple_sqlite.spl", "libsffi_sqlite.rlib"),
    "torch": (HERE / "simple_torch.spl", "libsffi_torch.a"),
}


def _needs_build(lib: str) -> None:
    """Skip when the library's external dependency is missing (libtorch for torch)."""
    if lib == "torch":
        try:
            toolchain.find("detector", "libtorch", prefer_static=False)
        except toolchain.DependencyMissing as exc:  # pragma: no cover - depends on the machine
            pytest.skip(f"torch needs libtorch: {exc}")


def _library_decls(lib: str) -> dict:
    manifest = tomllib.loads((ROOT / "ffi_libs" / lib / "sffi.toml").read_text(encoding="utf-8"))
    found, diags = decls.parse_files([ROOT / "ffi_libs" / lib / rel for rel in manifest["declarations"]])
    assert not diags, diags
    return found


@pytest.mark.parametrize("lib", sorted(CONTRACTS))
def test_contract_agrees_with_the_library_declarations(lib):
    contract, diags = decls.parse_files([CONTRACTS[lib][0]])
    assert not diags, diags
    library = _library_decls(lib)
    missing = sorted(set(contract) - set(library))
    assert not missing, f"{lib}: Simple's contract names externs the library does not declare: {missing}"
    differ = [f"{n}: Simple {d.signature}, ours {library[n].signature}"
              for n, d in contract.items() if d.signature != library[n].signature]
    assert not differ, differ


def contract_manifest(lib: str, where: Path) -> Path:
    """A copy of ffi_libs/<lib>/sffi.toml in ``where`` whose declarations are the
    contract file plus the library's declarations the contract does not name."""
    libdir = ROOT / "ffi_libs" / lib
    text = (libdir / "sffi.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    contract_file = CONTRACTS[lib][0]
    named, _ = decls.parse_files([contract_file])
    rest = [d.source() for n, d in _library_decls(lib).items() if n not in named]
    (where / "rest.spl").write_text("\n".join(rest) + "\n", encoding="utf-8")
    lines = [f"name = {json.dumps(data['name'])}", f"prefix = {json.dumps(data['prefix'])}",
             f"kind = {json.dumps(data['kind'])}",
             f"declarations = {json.dumps([str(contract_file), str(where / 'rest.spl')])}"]
    if data["kind"] == "cargo":
        lines.append(f"crate = {json.dumps(str((libdir / data['crate']).resolve()))}")
    else:
        lines.append(f"sources = {json.dumps(data['sources'])}")
    (where / "sffi.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return where


@pytest.mark.slow
@pytest.mark.parametrize("lib", sorted(CONTRACTS))
def test_sffi_check_of_the_contract_is_clean(build_runtime, tmp_path, lib):
    _needs_build(lib)
    build_runtime("none" if lib == "core" else lib)  # core is in every runtime
    artifact = ROOT / "build" / "release" / "libs" / lib / CONTRACTS[lib][1]
    manifest_dir = contract_manifest(lib, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "sffi", "check", str(manifest_dir), "--lib", str(artifact),
                           "--json"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, f"sffi check: {proc.returncode}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    report = json.loads(proc.stdout)["libraries"][0]
    assert report["signatures"]["status"] == "verified", report["signatures"]
    assert report["undeclared_exports"] == [] and report["warnings"] == []
    contract, _ = decls.parse_files([CONTRACTS[lib][0]])
    exported = {e["name"] for e in report["externs"] if e["exported"]}
    assert set(contract) <= exported


@pytest.mark.slow
def test_a_changed_contract_signature_is_caught(build_runtime, tmp_path):
    # The check above can fail: Simple declaring close() without a status
    # makes the union differ from what the build type-checked.
    build_runtime("sqlite")
    manifest_dir = contract_manifest("sqlite", tmp_path)
    altered = tmp_path / "altered.spl"
    altered.write_text(CONTRACTS["sqlite"][0].read_text(encoding="utf-8").replace(
        "extern fn rt_sqlite_close(handle: i64) -> i64", "extern fn rt_sqlite_close(handle: i64)"), encoding="utf-8")
    toml = (manifest_dir / "sffi.toml").read_text(encoding="utf-8")
    (manifest_dir / "sffi.toml").write_text(toml.replace(str(CONTRACTS["sqlite"][0]), str(altered)), encoding="utf-8")
    artifact = ROOT / "build" / "release" / "libs" / "sqlite" / CONTRACTS["sqlite"][1]
    proc = subprocess.run([sys.executable, "-m", "sffi", "check", str(manifest_dir), "--lib", str(artifact)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "rebuild" in proc.stderr
