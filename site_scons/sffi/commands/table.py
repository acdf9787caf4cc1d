"""``sffi table LIBDIR... --c OUT.c [--json OUT.json] [--ffi-root DIR]``: generate the extern table.

The LIBDIRs are the selected libraries; every other library found under
``--ffi-root`` (default: the parent of the first LIBDIR) goes into the
catalog, so the runtime can say which library provides an extern it lacks.
Exit status: 0, 4 with warnings, 1 or 12 on bad declarations.
"""

from __future__ import annotations

from pathlib import Path

from sffi import table
from sffi.plan import kinds
from sffi.commands.output import print_diagnostics
from sffi.errors import EXIT_OK, EXIT_REVIEW


def register(sub) -> None:
    """Add the ``table`` subparser."""
    p = sub.add_parser("table", help="generate the runtime's extern table (C and JSON)",
                       description=__doc__.splitlines()[0])
    p.add_argument("libdirs", nargs="+", metavar="LIBDIR", help="a selected library directory")
    p.add_argument("--c", required=True, metavar="OUT.c", help="where to write the C source")
    p.add_argument("--json", metavar="OUT.json", help="where to write the JSON facts")
    p.add_argument("--ffi-root", metavar="DIR", help="directory of all known libraries (for the catalog)")
    p.set_defaults(func=run)


def run(args) -> int:
    """Write the table files; returns 4 when declaration warnings were printed."""
    selected = [kinds.load(d) for d in args.libdirs]
    root = Path(args.ffi_root) if args.ffi_root else selected[0].root.parent
    chosen = {m.name for m in selected}
    others = [m for name, m in kinds.discover(root).items() if name not in chosen]
    warnings, sel_decls, cat_decls = [], [], []
    for manifests, out in ((selected, sel_decls), (others, cat_decls)):
        for m in manifests:
            lib, warns = table.library_decls(m)
            out.append(lib)
            warnings += warns
    Path(args.c).write_text(table.generate_c(sel_decls, cat_decls), encoding="utf-8")
    if args.json:
        Path(args.json).write_text(table.generate_json(sel_decls, cat_decls), encoding="utf-8")
    print_diagnostics(str(w) for w in warnings)
    return EXIT_REVIEW if warnings else EXIT_OK
