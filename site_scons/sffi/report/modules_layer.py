"""The loadable modules of a build, for ``sffi report`` (docs/reports.md, "Modules").

A selection directory ``build/<variant>/sel/<sel>`` has the modules built for its
variant beside it, ``build/<variant>/modules/<lib>/libsffi_<lib>.so`` (docs/modules.md,
"Layout"). Each one's ``.sffi_module`` section is read without loading it
(sffi.module_table.read_module) and compared with what the build and the
library's declarations say now:

================  ==============================================================  ========
status            meaning                                                         exit bit
================  ==============================================================  ========
``ok``            readable, the runtime's ABI version, its declarations' digest   0
``stale``         the declarations changed since it was built (digest differs):   4
                  rebuild it
``mismatch``      another ABI version than the runtime's table, or a library      12
                  name other than its file name's
``failed``        not a readable module (not ELF, truncated, no section)          12
================  ==============================================================  ========

An entry (extern) of a module is ``ok`` when it is declared with the signature
it has, else ``stale`` (declared otherwise, no longer declared, or declared but
not in the module).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sffi import module_table, table
from sffi.errors import SffiError
from sffi.manifest import Manifest
from sffi.plan import layout
from sffi.report.model import Table

_COLUMNS = ["module", "library", "ABI", "digest", "build id", "externs", "status", "detail"]


@dataclasses.dataclass
class ModuleRow:
    """One module of a build (JSON: docs/reports.md, ``modules``)."""

    path: str
    library: str
    abi_version: int | None
    sffi_version: str | None
    digest: str | None
    build_id: str | None
    gnu_build_id: str | None
    rebuild: str | None
    status: str
    detail: str
    entries: list[dict]


def variant_modules(sel_dir: Path) -> list[Path]:
    """The module files built for the variant of selection directory ``sel_dir``
    (``build/<variant>/sel/<sel>`` -> ``build/<variant>/modules/*/libsffi_*.so``), sorted."""
    return layout.built_modules(sel_dir)


def module_row(path: Path, manifests: dict[str, Manifest], abi_version: int) -> ModuleRow:
    """Read one module and give it its status (module docstring).

    Args:
        path: the ``libsffi_<lib>.so``.
        manifests: every known library (sffi.manifest.discover): the declarations now.
        abi_version: the ABI version of the runtime's table.

    Raises:
        SffiError / DeclarationError: a declaration file of the library is malformed.
    """
    file_library = layout.module_library(path)
    try:
        facts, gnu_id = module_table.read_module(path)
    except SffiError as exc:
        return ModuleRow(str(path), file_library, None, None, None, None, None, None, "failed",
                         exc.message.removeprefix(f"{path}: "), [])
    declared = _declarations(manifests.get(facts.library))
    entries = _entries(facts, declared)
    status, detail = _status(facts, file_library, abi_version, declared, entries)
    return ModuleRow(str(path), facts.library, facts.abi_version, facts.sffi_version, facts.digest,
                     facts.build_id, gnu_id, facts.rebuild, status, detail, entries)


def _declarations(manifest: Manifest | None) -> table.LibraryDecls | None:
    return table.library_decls(manifest)[0] if manifest is not None else None


def _entries(facts: module_table.ModuleFacts, declared: table.LibraryDecls | None) -> list[dict]:
    decls = declared.declarations if declared else {}
    rows = []
    for name, signature in facts.entries:
        decl = decls.get(name)
        why = ("" if decl and decl.signature == signature else
               f"declared {decl.signature}: rebuild" if decl else "no longer declared: rebuild")
        rows.append({"name": name, "signature": signature, "declared_signature": decl.signature if decl else None,
                     "declared_at": decl.location if decl else None, "status": "stale" if why else "ok",
                     "detail": why})
    have = {n for n, _ in facts.entries}
    for name, decl in sorted(decls.items()):
        if name not in have:
            rows.append({"name": name, "signature": None, "declared_signature": decl.signature,
                         "declared_at": decl.location, "status": "stale",
                         "detail": "declared, not in the module: rebuild"})
    return rows


def _status(facts, file_library: str, abi_version: int, declared, entries: list[dict]) -> tuple[str, str]:
    if facts.abi_version != abi_version:
        return "mismatch", f"ABI version {facts.abi_version}, the runtime's table has {abi_version}"
    if facts.library != file_library:
        return "mismatch", f"library '{facts.library}', its file name says '{file_library}'"
    if declared is None:
        return "stale", f"no library '{facts.library}' under ffi_libs/ any more"
    if facts.digest != module_table.declarations_digest(declared):
        changed = sum(e["status"] != "ok" for e in entries)
        return "stale", (f"built from other declarations (digest differs, {changed} externs changed): "
                         f"rebuild with {facts.rebuild}")
    return "ok", ""


def modules_table(rows: list[ModuleRow]) -> Table:
    """One row per module (the digest shortened to 12 hex digits)."""
    def short(digest):
        return digest[:len("sha256:") + 12] if digest else "-"
    cells = [[r.path, r.library, "-" if r.abi_version is None else str(r.abi_version), short(r.digest),
              r.build_id or "-", str(sum(e["signature"] is not None for e in r.entries)), r.status, r.detail]
             for r in rows]
    return Table("modules", list(_COLUMNS), cells, status_column=6)


def entries_table(row: ModuleRow) -> Table:
    """The externs of one module: name, signature, declared at, status."""
    cells = [[e["name"], e["signature"] or "-", e["declared_at"] or "-", e["status"], e["detail"]]
             for e in row.entries]
    return Table(f"module {row.library} ({row.path})", ["extern", "signature", "declared at", "status", "detail"],
                 cells, status_column=3)
