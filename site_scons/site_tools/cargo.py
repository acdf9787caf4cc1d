"""SCons tool: build Rust crates through cargo, declaring their real outputs.

``env.CargoCompileCheck(stamp, manifest, crate_dirs)`` compiles a crate only to
see that it compiles (the signature assertions).

``env.CargoUmbrella(staticlib, umbrella_manifest, members=[(crate, rlib_target), ...])``
runs ``cargo rustc`` on a generated umbrella crate (see sffi_build.umbrella)
that depends on the member crates as rlibs, and declares as targets:

* ``staticlib``: the umbrella's staticlib, copied out of cargo's target dir;
* each member's ``.rlib`` (copied), which the check scans for exports;
* ``<staticlib>.native-libs``: the native libraries rustc reports with
  ``--print native-static-libs`` (one line of linker flags), read when the
  runtime links.

Member sources (``*.rs``, Cargo.toml, build.rs) are the builder's sources, so
editing one rebuilds and relinks. Environment: ``CARGO`` (default ``cargo``),
``CARGO_TARGET_DIR`` (shared by every umbrella of a mode, so member crates
compile once), ``CARGO_PROFILE`` (``release`` or ``dev``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import SCons.Action
import SCons.Builder

NATIVE_SUFFIX = ".native-libs"


def _run_cargo(env, manifest: str) -> list[dict]:
    profile = env["CARGO_PROFILE"]
    cmd = [env["CARGO"], "rustc", "--lib", "--manifest-path", manifest,
           "--target-dir", env["CARGO_TARGET_DIR"], "--profile", profile,
           "--message-format=json", "--", "--print", "native-static-libs"]
    print(f"  CARGO   {manifest} ({profile})", flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env["ENV"])
    messages = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    for msg in messages:
        rendered = (msg.get("message") or {}).get("rendered") if msg.get("reason") == "compiler-message" else None
        if rendered and "native-static-libs" not in rendered and "native artifacts" not in rendered:
            print(rendered, end="")
    if proc.returncode != 0:
        print(proc.stderr, end="")
        raise SCons.Errors.BuildError(errstr=f"cargo failed on {manifest} (exit {proc.returncode})")
    return messages


def _native_libs(messages: list[dict]) -> str:
    for msg in messages:
        text = (msg.get("message") or {}).get("message", "") if msg.get("reason") == "compiler-message" else ""
        if "native-static-libs:" in text:
            return text.split("native-static-libs:", 1)[1].strip()
    raise SCons.Errors.BuildError(errstr="rustc did not report native-static-libs")


def _artifacts(messages: list[dict]) -> dict[str, list[str]]:
    files: dict[str, list[str]] = {}
    for msg in messages:
        if msg.get("reason") == "compiler-artifact":
            files.setdefault(msg["target"]["name"].replace("-", "_"), []).extend(msg["filenames"])
    return files


def _umbrella_action(target, source, env):
    staticlib, native, *rlibs = (str(t) for t in target)
    messages = _run_cargo(env, str(source[0]))
    built = _artifacts(messages)
    umbrella = next(f for f in built.get(env["CARGO_UMBRELLA_NAME"], []) if f.endswith(".a"))
    shutil.copyfile(umbrella, staticlib)
    Path(native).write_text(_native_libs(messages) + "\n")
    for crate, rlib in zip(env["CARGO_MEMBERS"], rlibs):
        candidates = [f for f in built.get(crate, []) if f.endswith(".rlib")]
        if not candidates:
            raise SCons.Errors.BuildError(errstr=f"cargo built no rlib for crate '{crate}': "
                                                 "its [lib] crate-type must include \"rlib\"")
        shutil.copyfile(candidates[0], rlib)
    return 0


def _crate_sources(crate_dir: Path) -> list[str]:
    skip = {"target", ".git"}
    return sorted(str(p) for p in crate_dir.rglob("*")
                  if p.is_file() and not skip & set(p.relative_to(crate_dir).parts)
                  and (p.suffix == ".rs" or p.name in ("Cargo.toml", "Cargo.lock", "build.rs")))


def cargo_umbrella(env, staticlib, umbrella_manifest, members, crate_dirs):
    """Build the umbrella staticlib; see the module docstring.

    Args:
        staticlib: target path of the combined ``.a``.
        umbrella_manifest: the generated umbrella Cargo.toml (a node or path).
        members: ``[(crate_name, rlib_target_path), ...]`` in a fixed order.
        crate_dirs: the member crates' directories (their sources become dependencies).

    Returns:
        The target node list: [staticlib, native-libs file, *rlibs].
    """
    targets = [staticlib, str(staticlib) + NATIVE_SUFFIX] + [rlib for _, rlib in members]
    sources = [umbrella_manifest] + [s for d in crate_dirs for s in _crate_sources(Path(d))]
    return env.Command(targets, sources,
                       SCons.Action.Action(_umbrella_action, None),
                       CARGO_MEMBERS=[crate for crate, _ in members])


def _check_action(target, source, env):
    _run_cargo(env, str(source[0]))
    # Record what compiled (sffi.signatures reads it): the digest of the crate's lib.rs.
    lib_rs = Path(str(source[0])).parent / "lib.rs"
    Path(str(target[0])).write_text(hashlib.sha256(lib_rs.read_bytes()).hexdigest() + "\n")
    return 0


def cargo_compile_check(env, stamp, manifest, crate_dirs):
    """Compile a generated crate (e.g. signature assertions) and write ``stamp`` when it compiles.

    rustc's own errors are printed; a failure stops the build. The member
    crates' sources are dependencies, as for the umbrella.
    """
    sources = [manifest] + [s for d in crate_dirs for s in _crate_sources(Path(d))]
    return env.Command(stamp, sources, SCons.Action.Action(_check_action, None))


def generate(env):
    """Add ``CargoUmbrella`` and the CARGO defaults to ``env``."""
    env.SetDefault(CARGO=shutil.which("cargo") or "cargo", CARGO_PROFILE="release",
                   CARGO_UMBRELLA_NAME="sffi_umbrella")
    env.AddMethod(cargo_umbrella, "CargoUmbrella")
    env.AddMethod(cargo_compile_check, "CargoCompileCheck")


def exists(env):
    """True when cargo is on PATH."""
    return shutil.which("cargo") is not None
