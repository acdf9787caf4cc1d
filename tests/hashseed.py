"""Determinism across processes: the same code run under different ``PYTHONHASHSEED`` values.

Calling a generator twice in one process proves little: set and dict iteration order, the
usual source of unstable output in Python, is the same both times. Each run here is a fresh
interpreter whose string hashing is seeded differently, so output that depends on the order
of a set of strings differs between them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ("0", "1", "2", "3")


def outputs(code: str, extra_path: tuple[Path, ...] = ()) -> dict[str, str]:
    """``PYTHONHASHSEED`` -> what ``python -c code`` wrote to stdout, for each of :data:`SEEDS`.

    ``code`` runs with site_scons/, tests/ and ``extra_path`` on ``sys.path``.
    Raises AssertionError (with stderr) when a run fails.
    """
    path = os.pathsep.join(map(str, (ROOT / "site_scons", ROOT / "tests", *extra_path)))
    found = {}
    for seed in SEEDS:
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": path}
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
        found[seed] = proc.stdout
    return found


def differing(code: str, extra_path: tuple[Path, ...] = ()) -> list[str]:
    """The seeds whose output differs from the first seed's ([] when all agree)."""
    found = outputs(code, extra_path)
    first = found[SEEDS[0]]
    return [seed for seed, out in found.items() if out != first]
