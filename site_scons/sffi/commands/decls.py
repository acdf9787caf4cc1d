"""``sffi decls FILE... [--json]``: list the ``extern fn`` declarations of .spl files.

Exit status (bits, sffi.errors): 0 clean, 4 warnings (duplicates; parameters
reordered), 1 malformed declarations, 12 conflicting declarations of one
extern. Declarations of one extern whose results differ only in optionality
(``-> text`` and ``-> text?``) are notes and change no bit. The valid
declarations are listed even when others are malformed.
"""

from __future__ import annotations

from sffi import decls
from sffi.commands.output import print_diagnostics, print_json, print_table


def register(sub) -> None:
    """Add the ``decls`` subparser."""
    p = sub.add_parser("decls", help="list extern fn declarations of .spl files",
                       description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+", metavar="FILE", help="a .spl file")
    p.add_argument("--json", action="store_true", help="stable JSON (format sffi-decls/1)")
    p.set_defaults(func=run)


def run(args) -> int:
    """Print the valid declarations and every diagnostic; returns the exit bits
    (decls.exit_status). Raises SffiError for a missing or undecodable file."""
    try:
        found, diagnostics = decls.parse_files(args.files)
    except decls.DeclarationError as exc:
        found, diagnostics = exc.declarations, exc.diagnostics
    print_diagnostics(str(d) for d in diagnostics)
    if args.json:
        print_json({"format": "sffi-decls/1", "declarations": [
            {"name": d.name, "signature": d.signature, "result": d.result, "pub": d.pub,
             "attributes": list(d.attributes),
             "params": [{"name": p.name, "type": p.type} for p in d.params],
             "declared_at": d.location} for d in found.values()],
            "diagnostics": [{"severity": d.severity, "location": d.location, "message": d.message}
                            for d in diagnostics]})
    else:
        print_table(["name", "signature", "declared at"],
                    [[("pub " if d.pub else "") + d.name, d.signature, d.location] for d in found.values()])
    return decls.exit_status(diagnostics)
