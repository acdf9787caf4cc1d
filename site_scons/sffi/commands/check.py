"""``sffi check LIBDIR... [--lib BUILT_ARTIFACT]``: declarations against exports.

For each library directory, every declared extern is looked up among the
exports of its built artifact(s): by default those the SCons build left under
``build/*/libs/<name>/`` (the newest), or the files given with ``--lib`` (only
with a single LIBDIR). With several LIBDIRs, symbols defined by two of them
are reported as clashes.

Signatures: ELF carries no types, so the report says whether the SCons build
compiled the artifact against the current declarations (sffi.signatures):
"match" for each extern when it did, "stale" (a warning) when the declarations
changed since, "unchecked" for an artifact built elsewhere. When an artifact
has DWARF debug info, each exported extern's prototype is also compared with
its declaration (sffi.dwarf): "match (dwarf)" or "MISMATCH", each mismatch an
error naming both sides.

Exit status (after abidiff): 0 clean, 4 warnings (undeclared exports with the
library's prefix, duplicate declarations, stale signatures), 12 a declared extern missing, a
clash or a DWARF signature mismatch, 1 an error (bad manifest, unreadable artifact), 3 bad usage.
"""

from __future__ import annotations

from pathlib import Path

from sffi import check as check_mod
from sffi import dwarf
from sffi import manifest as manifest_mod
from sffi import signatures
from sffi.plan import layout
from sffi.commands.output import print_diagnostics, print_json, print_table
from sffi.errors import EXIT_INCOMPATIBLE, EXIT_REVIEW, EXIT_USAGE, SffiError


def register(sub) -> None:
    """Add the ``check`` subparser."""
    p = sub.add_parser("check", help="check declarations against a built library's exports",
                       description=__doc__.splitlines()[0])
    p.add_argument("libdirs", nargs="+", metavar="LIBDIR", help="a library directory (holds sffi.toml)")
    p.add_argument("--lib", action="append", default=[], metavar="BUILT_ARTIFACT",
                   help="a built .a/.o/.so/.rlib of the library (repeatable; one LIBDIR only)")
    p.add_argument("--build-dir", default="build", help="where the SCons build left artifacts (default: build)")
    p.add_argument("--json", action="store_true", help="stable JSON (format sffi-check/1)")
    p.set_defaults(func=run)


def default_artifacts(build_dir: Path, name: str) -> list[Path]:
    """The newest built artifact of library ``name`` under ``build_dir/*/libs/<name>/``.

    Raises:
        SffiError: nothing has been built for it.
    """
    found = layout.built_artifacts(build_dir, name)
    if not found:
        raise SffiError(f"no built artifact of library '{name}' under {build_dir}/*/libs/{name}/; "
                        f"build it with `scons ffi --with={name}` or pass --lib PATH")
    return [max(found, key=lambda p: p.stat().st_mtime)]


def run(args) -> int:
    """Check each library and print the report; returns the exit status bits."""
    if args.lib and len(args.libdirs) > 1:
        raise SffiError("--lib names the artifact of one library: give a single LIBDIR", status=EXIT_USAGE)
    checks, artifacts, evidence, dwarf_checks = [], {}, {}, {}
    for libdir in args.libdirs:
        manifest = manifest_mod.load(libdir)
        arts = [Path(p) for p in args.lib] or default_artifacts(Path(args.build_dir), manifest.name)
        artifacts[manifest.name] = [str(a) for a in arts]
        check = check_mod.check_library(manifest, arts)
        checks.append(check)
        evidence[manifest.name] = signatures.evidence(manifest, check.declarations, arts[0])
        dwarf_checks[manifest.name] = dwarf_check(check, arts)
    clashes = check_mod.find_clashes(checks, artifacts)
    if args.json:
        print_json(_json(checks, clashes, artifacts, evidence, dwarf_checks))
    else:
        _print_human(checks, artifacts, evidence, dwarf_checks)
    print_diagnostics(m for c in checks for m in c.messages())
    print_diagnostics(c.message() for c in clashes)
    status = 0
    for c in checks:
        status |= c.status
        errors = _dwarf_errors(c, dwarf_checks[c.manifest.name])
        print_diagnostics(errors)
        status |= EXIT_INCOMPATIBLE if errors else 0
        if evidence[c.manifest.name][0] == signatures.STALE:
            print_diagnostics([f"{c.manifest.path}: warning: signatures {evidence[c.manifest.name][1]}"])
            status |= EXIT_REVIEW
    return status | (EXIT_INCOMPATIBLE if clashes else 0)


def dwarf_check(check: check_mod.LibraryCheck,
                artifacts: list[Path]) -> dict[str, tuple[str, list[str]]] | None:
    """DWARF signature checks of a library's exported externs (sffi.dwarf).

    Args:
        check: the library's check (its exported declarations are compared).
        artifacts: its built artifacts; those without debug info are skipped.
    Returns:
        None when no artifact has debug info, else extern name -> (status,
        mismatch messages) for every declaration: status ``"match"``,
        ``"mismatch"`` or ``"absent"`` (no DWARF prototype found, or not exported).
    Raises:
        ScanError: an artifact cannot be read.
    """
    found = dwarf.check_artifacts({d.name: d for d in check.matched}, artifacts)
    if found is None:
        return None
    return {name: (("mismatch" if found[name] else "match") if name in found else "absent",
                   [m.message for m in found.get(name, [])])
            for name in check.declarations}


def _dwarf_errors(check: check_mod.LibraryCheck, found: dict | None) -> list[str]:
    """One ``<declaration location>: error: <message>`` line per DWARF mismatch."""
    return [f"{check.declarations[name].location}: error: {message}"
            for name, (_status, messages) in (found or {}).items() for message in messages]


def _print_human(checks, artifacts, evidence, dwarf_checks) -> None:
    for c in checks:
        sig_status, detail = evidence[c.manifest.name]
        by_dwarf = dwarf_checks[c.manifest.name] or {}
        print(f"library {c.manifest.name} ({c.manifest.kind}): {len(c.matched)} of "
              f"{len(c.declarations)} declared externs exported by {', '.join(artifacts[c.manifest.name])}")
        print(f"signatures: {sig_status} ({detail})")
        if dwarf_checks[c.manifest.name] is not None:
            statuses = [s for s, _ in by_dwarf.values()]
            print(f"dwarf: {len(statuses) - statuses.count('absent')} of {len(c.matched)} exported externs "
                  f"checked from debug info, {statuses.count('mismatch')} mismatched")
        sig = {signatures.VERIFIED: "match", signatures.STALE: "stale", signatures.UNVERIFIED: "unchecked"}[sig_status]
        shown = {"match": "match (dwarf)", "mismatch": "MISMATCH"}
        rows = [[d.name, d.signature, "exported" if d.name in c.exported else "MISSING",
                 shown.get(by_dwarf.get(d.name, ("absent",))[0], sig) if d.name in c.exported else "-"]
                for d in c.declarations.values()]
        print_table(["extern", "declared signature", "export", "signature"], rows)
        print()


def _dwarf_json(found: dict | None, name: str) -> dict:
    """The per-extern DWARF keys; none when the artifact has no debug info (format unchanged)."""
    if found is None:
        return {}
    status, messages = found[name]
    return {"dwarf": status, "dwarf_mismatches": messages}


def _json(checks, clashes, artifacts, evidence, dwarf_checks) -> dict:
    return {
        "format": "sffi-check/1",
        "libraries": [{
            "name": c.manifest.name,
            "artifacts": artifacts[c.manifest.name],
            "signatures": {"status": evidence[c.manifest.name][0], "detail": evidence[c.manifest.name][1]},
            "externs": [{"name": d.name, "signature": d.signature, "declared_at": d.location,
                         "exported": d.name in c.exported,
                         "member": c.exported[d.name].member if d.name in c.exported else None,
                         **_dwarf_json(dwarf_checks[c.manifest.name], d.name)}
                        for d in c.declarations.values()],
            "undeclared_exports": [s.name for s in c.undeclared],
            "warnings": [str(w) for w in c.warnings],
            "notes": [str(n) for n in c.notes],
        } for c in checks],
        "clashes": [{"symbol": cl.symbol, "libraries": [lib for lib, _, _ in cl.definitions]}
                    for cl in clashes],
    }
