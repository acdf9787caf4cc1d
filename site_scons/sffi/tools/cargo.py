"""SCons tool: build Rust crates through cargo, declaring their real outputs.

``env.CargoCompileCheck(stamp, [Cargo.toml, *member sources])`` compiles a crate
only to see that it compiles (the signature assertions).

``env.CargoUmbrella([staticlib, staticlib.native-libs, *member rlibs],
[umbrella Cargo.toml, *member sources], CARGO_MEMBERS=[crate, ...])`` runs
``cargo rustc`` on a generated umbrella crate (sffi.plan.kinds plans it) that
depends on the member crates as rlibs; its targets are:

* ``staticlib``: the umbrella's staticlib, copied out of cargo's target dir;
* ``<staticlib>.native-libs``: the native libraries rustc reports with
  ``--print native-static-libs`` (one line of linker flags), read when the
  runtime links;
* each member's ``.rlib`` (copied, in CARGO_MEMBERS order), which the check scans.

Member sources (``*.rs``, Cargo.toml, build.rs) are the sources, so editing one
rebuilds and relinks. Environment: ``CARGO`` (default ``cargo``),
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
import SCons.Errors


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


def _check_action(target, source, env):
    _run_cargo(env, str(source[0]))
    # Record what compiled (sffi.signatures reads it): the digest of the crate's lib.rs.
    lib_rs = Path(str(source[0])).parent / "lib.rs"
    Path(str(target[0])).write_text(hashlib.sha256(lib_rs.read_bytes()).hexdigest() + "\n")
    return 0


def generate(env):
    """Add ``CargoUmbrella``, ``CargoCompileCheck`` and the CARGO defaults to ``env``."""
    env.SetDefault(CARGO=shutil.which("cargo") or "cargo", CARGO_PROFILE="release",
                   CARGO_UMBRELLA_NAME="sffi_umbrella")
    act = SCons.Action.Action
    env.Append(BUILDERS={"CargoUmbrella": env.Builder(action=act(_umbrella_action, None)),
                         "CargoCompileCheck": env.Builder(action=act(_check_action, None))})


def exists(env):
    """True when cargo is on PATH."""
    return shutil.which("cargo") is not None
