"""``sffi report``: one build's externs in three layers, side by side.

For every library of a build (a selection directory, sffi.report.builddir):

* declared: the Tier-2 ``extern fn`` declarations (the library's sffi.toml);
* exported: the Tier-1 exports of its built archive (sffi.symbols), with the
  archive member that defines each;
* table: the entries of the runtime's generated extern table (sffi_table.json).

Each extern gets one status (its row's colour; DESIGN.md, "The generated table"):

====================  =========================================================  ========
status                meaning                                                    exit bit
====================  =========================================================  ========
``ok``                declared, exported, in the table with that signature       0
``missing``           declared but not exported                                  12
``mismatch``          DWARF shows a C prototype other than the declaration's     12
``undeclared``        exported with the library's prefix, not declared           4
``stale``             the table or the signature check predates the declaration  4
                      (table signature differs, table-only entry, or the build
                      compiled other declarations): rebuild
``not-in-table``      declared and exported but not in the table: rebuild        4
====================  =========================================================  ========

A symbol defined strongly by two selected libraries is a ``clash`` (12).
The modules built for the build's variant are reported too, with their own
statuses (sffi.report.modules_layer). Exit bits follow abidiff (sffi.errors).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sffi import check as check_mod
from sffi import dwarf, signatures
from sffi.errors import EXIT_INCOMPATIBLE, EXIT_REVIEW, SffiError
from sffi.manifest import Manifest
from sffi.plan import kinds, layout
from sffi.report import builddir, modules_layer
from sffi.report.model import Report, Table, severity

STATUSES = ("ok", "missing", "mismatch", "undeclared", "stale", "not-in-table")
_COLUMNS = ["extern", "signature", "declared at", "archive member", "table", "signature check", "status"]


@dataclasses.dataclass
class Row:
    """One extern of one library, across the three layers (JSON: docs/reports.md)."""

    name: str
    library: str
    signature: str
    declared_at: str | None
    member: str | None
    in_table: bool
    table_signature: str | None
    signature_check: str
    status: str
    detail: str = ""


def build_report(path: str | Path, manifests: dict[str, Manifest], progress=None,
                 checks: dict[str, check_mod.LibraryCheck] | None = None) -> Report:
    """The layered report of one build.

    Args:
        path: a selection directory, or a directory holding exactly one
            (sffi.report.builddir.selection_dir).
        manifests: every known library, name -> Manifest (sffi.manifest.discover).
        progress: called with one line before each slow step (reading an
            archive's DWARF takes about 2 s per 3 MB object with -g), or None.
        checks: library -> its LibraryCheck as the build recorded it
            (sffi.plan.records; ``scons report`` passes them), or None to scan
            each library's artifacts.
    Returns:
        A Report of kind ``sffi-report``: summary counts per status, one table
        per library, a clash table; ``status`` carries the exit bits.
    Raises:
        SffiError: no build there, a library of the build has no manifest or no
            built archive, a declaration file is malformed, an archive is unreadable.
    """
    sel_dir = builddir.selection_dir(path)
    doc = builddir.load_table(sel_dir / builddir.TABLE)
    table_entries = {e["name"]: e for e in doc["entries"]}
    done, rows, artifacts = [], [], {}
    for lib in doc["libraries"]:
        manifest = _manifest(manifests, lib, sel_dir)
        artifacts[lib] = builddir.library_artifacts(sel_dir, lib)
        check = (checks or {}).get(lib) or check_mod.check_library(
            manifest, artifacts[lib], define_hint=kinds.of(manifest).define_hint)
        done.append(check)
        rows += library_rows(check, artifacts[lib], table_entries, progress)
    clashes = check_mod.find_clashes(done, {k: [str(a) for a in v] for k, v in artifacts.items()})
    modules = [modules_layer.module_row(p, manifests, doc["abi_version"])
               for p in modules_layer.variant_modules(sel_dir)]
    return _assemble(sel_dir, doc, rows, clashes, modules)


def library_rows(check: check_mod.LibraryCheck, artifacts: list[Path], table_entries: dict,
                 progress=None) -> list[Row]:
    """The rows of one checked library: its declarations, then undeclared exports, then table-only entries.

    ``progress`` is as for :func:`build_report`.
    """
    lib = check.manifest.name
    evidence, detail = signatures.evidence(check.manifest, check.declarations, artifacts[0])
    exported = {n: d for n, d in check.declarations.items() if n in check.exported}
    dwarf_found = dwarf.check_artifacts(exported, artifacts, progress) or {}
    rows = []
    for name, decl in check.declarations.items():
        entry = table_entries.get(name)
        sym = check.exported.get(name)
        sig_check = evidence if sym else "-"
        mismatches = dwarf_found.get(name)
        if mismatches is not None and sym:
            sig_check = "mismatch (dwarf)" if mismatches else f"{evidence}, match (dwarf)"
        status, why = _status(decl.signature, sym, entry, evidence, mismatches)
        rows.append(Row(name, lib, decl.signature, decl.location, sym.member if sym else None,
                        entry is not None, entry["signature"] if entry else None, sig_check, status,
                        why or (detail if status == "stale" else "")))
    for sym in check.undeclared:
        entry = table_entries.get(sym.name)
        rows.append(Row(sym.name, lib, entry["signature"] if entry else "?", None, sym.member, entry is not None,
                        entry["signature"] if entry else None, "-", "undeclared",
                        f"exported with prefix '{check.manifest.prefix}' but not declared"
                        + ("; still in the table: rebuild" if entry else "")))
    listed = set(check.declarations) | {s.name for s in check.undeclared}
    for name, entry in sorted(table_entries.items()):
        if entry["library"] == lib and name not in listed:
            rows.append(Row(name, lib, entry["signature"], None, None, True, entry["signature"], "-",
                            "stale", "in the table but no longer declared: rebuild"))
    return rows


def _status(signature, sym, entry, evidence, mismatches) -> tuple[str, str]:
    if sym is None:
        return "missing", "declared but not exported"
    if mismatches:
        return "mismatch", "; ".join(m.message for m in mismatches)
    if entry is None:
        return "not-in-table", "declared and exported but not in the table: rebuild"
    if entry["signature"] != signature:
        return "stale", f"the table has {entry['signature']}: rebuild"
    if evidence == signatures.STALE:
        return "stale", ""
    return "ok", ""


def _manifest(manifests: dict[str, Manifest], lib: str, sel_dir: Path) -> Manifest:
    if lib not in manifests:
        raise SffiError(f"{sel_dir / builddir.TABLE}: library '{lib}' has no manifest among "
                        f"{', '.join(manifests) or 'none'} (wrong --ffi-libs?)")
    return manifests[lib]


def _exit_bits(statuses) -> int:
    status = 0
    for s in statuses:
        if severity(s) == "bad":
            status |= EXIT_INCOMPATIBLE
        elif s != "ok":
            status |= EXIT_REVIEW
    return status


def _assemble(sel_dir: Path, doc: dict, rows: list[Row], clashes, modules: list) -> Report:
    summary = {s: sum(r.status == s for r in rows) for s in STATUSES}
    summary["clash"] = len(clashes)
    status = _exit_bits([s for s, n in summary.items() if n] + [m.status for m in modules])
    problems = [[r.name, r.library, r.status, r.detail] for r in rows if r.status != "ok"]
    problems += [[c.symbol, ", ".join(lib for lib, _, _ in c.definitions), "clash", c.message()] for c in clashes]
    problems += [[m.path, m.library, m.status, m.detail] for m in modules if m.status != "ok"]
    tables = [Table("problems", ["extern", "library", "status", "detail"], problems, status_column=2)]
    tables += [_library_table(lib, [r for r in rows if r.library == lib]) for lib in doc["libraries"]]
    if modules:
        tables += [modules_layer.modules_table(modules)] + [modules_layer.entries_table(m) for m in modules]
    runtime = sel_dir / builddir.RUNTIME
    notes = [f"build: {sel_dir}",
             f"runtime: {runtime} ({runtime.stat().st_size} bytes)" if runtime.is_file() else
             f"runtime: {runtime} (not linked)",
             f"libraries: {', '.join(doc['libraries'])}; {len(doc['entries'])} table entries; "
             f"ABI version {doc['abi_version']}", _modules_note(sel_dir, doc, modules)]
    data = {"build": str(sel_dir), "libraries": doc["libraries"], "abi_version": doc["abi_version"],
            "externs": [dataclasses.asdict(r) for r in rows],
            "clashes": [{"symbol": c.symbol, "libraries": [lib for lib, _, _ in c.definitions]} for c in clashes],
            "modules": [dataclasses.asdict(m) for m in modules]}
    return Report("sffi-report", f"sffi report: {sel_dir.name} ({sel_dir})", summary, tables, notes, status, data)


def _modules_note(sel_dir: Path, doc: dict, modules: list) -> str:
    where = layout.modules_dir_of(sel_dir)
    if not modules:
        return f"modules: none built in {where}"
    counts = ", ".join(f"{s} {sum(m.status == s for m in modules)}"
                       for s in dict.fromkeys(m.status for m in modules))
    linked = [m.library for m in modules if m.library in doc["libraries"]]
    shadow = f"; {', '.join(linked)} also linked in (the compiled-in table wins)" if linked else ""
    return f"modules: {len(modules)} in {where} ({counts}){shadow}"


def _library_table(lib: str, rows: list[Row]) -> Table:
    cells = [[r.name, r.signature, r.declared_at or "-", r.member or "-",
              "yes" if r.in_table else "no", r.signature_check, r.status] for r in rows]
    return Table(f"library {lib}", list(_COLUMNS), cells, status_column=len(_COLUMNS) - 1)
