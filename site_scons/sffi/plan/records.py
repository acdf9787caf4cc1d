"""The export check's record, ``build/<variant>/libs/<lib>/<lib>.check.json``.

The check node writes it after scanning the library's artifact; the table's
clash check and the report read it back instead of scanning the artifact again.

Format (JSON object): ``library``, ``artifact`` (path relative to the project
root), ``matched`` (declared and exported names), ``strong_exports`` (symbol ->
defining archive member, GLOBAL bindings: what can clash), ``exports`` (every
exported symbol: its fields as :class:`sffi.symbols.Symbol` has them),
``warnings`` (the check's warning lines), and for C/C++ ``prototypes_sha256``
(the digest of the prototype header the archive was compiled with;
sffi.signatures reads it).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from sffi import check as check_mod
from sffi.errors import SffiError
from sffi.plan import kinds
from sffi.symbols import Symbol

_FIELDS = {f.name for f in dataclasses.fields(Symbol)}


def record(result: check_mod.LibraryCheck, artifact: str, prototypes_sha256: str | None) -> dict:
    """The record of one check (see the module docstring)."""
    data = {"library": result.manifest.name, "artifact": os.path.relpath(artifact),
            "matched": sorted(d.name for d in result.matched),
            "strong_exports": {n: s.member for n, s in sorted(result.exported.items()) if s.binding == "global"},
            "exports": [dataclasses.asdict(s) for _, s in sorted(result.exported.items())],
            "warnings": [m for m in result.messages() if ": warning: " in m]}
    if prototypes_sha256:
        data["prototypes_sha256"] = prototypes_sha256
    return data


def load(path: str | Path) -> dict:
    """A record as written by the build.

    Raises:
        SffiError: the file is missing or is not a check record (rebuild it).
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SffiError(f"{path}: cannot read the check record ({exc}): rebuild with scons") from None
    if not isinstance(data, dict) or not isinstance(data.get("exports"), list):
        raise SffiError(f"{path}: not a check record of this sffi version: rebuild with scons")
    return data


def library_check(path: str | Path, manifest, parsed: tuple) -> check_mod.LibraryCheck:
    """The LibraryCheck a build recorded, against the current declarations ``parsed``
    (``(declarations by name, warnings)``), without scanning the artifact again.

    Raises:
        SffiError: as :func:`load`.
    """
    data = load(path)
    exported = {}
    for fields in data["exports"]:
        sym = Symbol(**{k: v for k, v in fields.items() if k in _FIELDS})
        exported.setdefault(sym.name, sym)
    declared, warnings = parsed
    return check_mod.compare(manifest, declared, warnings, exported, define_hint=kinds.of(manifest).define_hint)
