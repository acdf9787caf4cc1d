"""``sffi decls FILE... [--json]``: list the ``extern fn`` declarations of .spl files.

Exit status: 0 clean, 4 warnings (duplicates), 1 malformed declarations,
12 conflicting declarations of one extern.
"""

from __future__ import annotations

from sffi import decls
from sffi.commands.output import print_diagnostics, print_json, print_table
from sffi.errors import EXIT_OK, EXIT_REVIEW


def register(sub) -> None:
    """Add the ``decls`` subparser."""
    p = sub.add_parser("decls", help="list extern fn declarations of .spl files",
                       description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+", metavar="FILE", help="a .spl file")
    p.add_argument("--json", action="store_true", help="stable JSON (format sffi-decls/1)")
    p.set_defaults(func=run)


def run(args) -> int:
    """Print the declarations; raises DeclarationError (status 1 or 12) on bad input."""
    try:
        found, warnings = decls.parse_files(args.files)
    except decls.DeclarationError as exc:
        print_diagnostics(str(d) for d in exc.diagnostics)
        return exc.status
    print_diagnostics(str(w) for w in warnings)
    if args.json:
        print_json({"format": "sffi-decls/1", "declarations": [
            {"name": d.name, "signature": d.signature, "result": d.result,
             "params": [{"name": p.name, "type": p.type} for p in d.params],
             "declared_at": d.location} for d in found.values()]})
    else:
        print_table(["name", "signature", "declared at"],
                    [[d.name, d.signature, d.location] for d in found.values()])
    return EXIT_REVIEW if warnings else EXIT_OK
