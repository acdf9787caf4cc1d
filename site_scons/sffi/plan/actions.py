"""Helpers shared by the site tools' actions (site_scons/sffi/tools/): progress lines,
failing a node with the toolkit's message, writing a JSON result file."""

from __future__ import annotations

import json
from pathlib import Path

import SCons.Errors

from sffi.errors import SffiError


def quiet(label: str):
    """An action's progress line ``  LABEL   target`` (the ``$CCCOMSTR`` style)."""
    return lambda target, source, env: f"  {label:<7} {target[0]}"


def fail(exc: SffiError | str):
    """Fail the node with the toolkit's message as it is (no traceback)."""
    raise SCons.Errors.BuildError(errstr=f"\n{exc}" if isinstance(exc, SffiError) else str(exc))


def write_json(path, data: dict) -> None:
    """``data`` as indented, key-sorted JSON (stable output: same facts, same bytes)."""
    Path(str(path)).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
