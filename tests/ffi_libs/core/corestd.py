"""Runs a script body on a real runtime with the core declarations it uses (issue 26 tests).

``run(runtime, body, cwd)`` prepends, for each ``rt_*`` name the body calls,
its declaration from ffi_libs/core/core.spl (the library's own Tier-2 file, so
a test can never declare a signature the library does not have), writes the
script into ``cwd`` and runs it there. ``lines(...)`` is its stdout split in
lines, after asserting exit status 0.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
_DECL = re.compile(r"^extern fn (\w+)\(.*$", re.M)
DECLS = {m.group(1): m.group(0).split("#")[0].rstrip()
         for m in _DECL.finditer((ROOT / "ffi_libs" / "core" / "core.spl").read_text(encoding="utf-8"))}


def script(body: str) -> str:
    """``body`` with the declarations of the core externs it names in front."""
    used = sorted(set(re.findall(r"\b(rt_\w+)\(", body)) & set(DECLS))
    return "\n".join(DECLS[n] for n in used) + "\n" + body


def run(runtime: Path, body: str, cwd: Path, args=(), env=None, timeout=60) -> subprocess.CompletedProcess:
    """Runs ``body`` (declarations added) as ``cwd/t.spl`` with ``args``; text output."""
    cwd.mkdir(parents=True, exist_ok=True)
    (cwd / "t.spl").write_text(script(body), encoding="utf-8")
    return subprocess.run([str(runtime), "t.spl", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env if env is not None else os.environ.copy())


def lines(runtime: Path, body: str, cwd: Path, **kw) -> list[str]:
    """stdout of a run that must succeed, as lines."""
    proc = run(runtime, body, cwd, **kw)
    assert proc.returncode == 0, f"status {proc.returncode}\n{proc.stderr}\n--- script\n{script(body)}"
    return proc.stdout.splitlines()
