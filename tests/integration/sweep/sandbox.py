"""Where the misuse sweep lets a library's destructive externs loose (issue 26).

core's externs remove, move and write files, kill processes and run shell
lines and programs. The sweep calls each with made-up values, so they must
meet nothing worth keeping:

* every script runs in the Runner's scratch directory (misuse.Runner, a fresh
  mkdtemp), and the benign values recipes.toml gives path parameters are
  relative, so a remove or a write lands there (tests/integration/sweep/test_sandbox.py
  checks that none is absolute or climbs out with "..");
* ``[LIB.sandbox] fake-path = true`` gives the scripts a PATH of one empty
  directory, so a command the sweep makes up (``rt_shell("x")``,
  ``rt_process_spawn("x", ...)``) finds no program, and HOME and TMPDIR
  directories of their own;
* rt_process_kill refuses pid <= 1 and the runtime's own process group by
  contract (docs/core.md), so no value reaches the test runner.
"""

from __future__ import annotations

import tempfile
import tomllib
from pathlib import Path

RECIPES = Path(__file__).with_name("recipes.toml")


def recipe(library: str) -> dict:
    """The ``[LIB.sandbox]`` table of recipes.toml ({} when the library has none)."""
    return tomllib.loads(RECIPES.read_text(encoding="utf-8")).get(library, {}).get("sandbox", {})


def env_for(library: str) -> dict[str, str]:
    """Environment variables for the library's sweep scripts: with ``fake-path``, PATH is a new
    empty directory and HOME and TMPDIR new directories of their own (under the system's temp)."""
    if not recipe(library).get("fake-path"):
        return {}
    root = Path(tempfile.mkdtemp(prefix=f"sffi-sweep-{library}-env-"))
    dirs = {"PATH": root / "empty-bin", "HOME": root / "home", "TMPDIR": root / "tmp"}
    for d in dirs.values():
        d.mkdir()
    return {name: str(d) for name, d in dirs.items()}
