"""``sffi inspect MODULE... [--json]``: what an FFI module says about itself, without loading it.

Reads the ``.sffi_module`` section of each ``libsffi_<lib>.so`` (docs/modules.md):
ABI version, library, sffi version, declaration digest, build id, the command
that rebuilds it, and its externs with their signatures; and the file's GNU
build-id when it has one. Nothing of the module runs, so CI can audit modules
it cannot load (a missing libtorch, another architecture).

Exit status: 0 ok, 1 a file is not a readable FFI module (one ``sffi: ...``
line naming it and what is wrong).
"""

from __future__ import annotations

from sffi import module_table
from sffi.commands.output import print_json, print_table, printable
from sffi.errors import EXIT_OK

JSON_FORMAT = "sffi-inspect/1"


def register(sub) -> None:
    """Add the ``inspect`` subparser (``func=run``)."""
    p = sub.add_parser("inspect", help="show an FFI module's descriptor without loading it",
                       description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="+", metavar="MODULE", help="a libsffi_<lib>.so")
    p.add_argument("--json", action="store_true", help=f"stable JSON (format {JSON_FORMAT})")
    p.set_defaults(func=run)


def describe(path: str) -> dict:
    """One module's facts as a JSON-ready dict: its section's fields, ``path`` and ``gnu_build_id``.

    Raises:
        SffiError: as sffi.module_table.read_module.
    """
    facts, build_id = module_table.read_module(path)
    doc = facts.as_json()
    doc.update(path=str(path), gnu_build_id=build_id)
    return doc


def show(doc: dict) -> None:
    """Print one module's facts as text: the fields, then its externs as a table. Everything
    that comes from the file goes through :func:`printable` (no terminal escapes from a module)."""
    print(f"{printable(doc['path'])}: FFI module of library '{printable(doc['library'])}'")
    for key in ("abi_version", "sffi_version", "digest", "build_id", "gnu_build_id", "rebuild"):
        print(f"  {key + ':':<14}{printable(str(doc[key])) if doc[key] is not None else '(none)'}")
    print_table(["name", "signature"], [[printable(e["name"]), printable(e["signature"])] for e in doc["entries"]])


def run(args) -> int:
    """Print every module's facts; the first unreadable one stops with its error."""
    docs = [describe(p) for p in args.paths]
    if args.json:
        print_json({"format": JSON_FORMAT, "modules": docs})
    else:
        for i, doc in enumerate(docs):
            if i:
                print()
            show(doc)
    return EXIT_OK
