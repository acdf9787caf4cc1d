"""``sffi symbols PATH... [--json] [--undefined | --all] [--demangle]``: list exported symbols.

By default the exports of each object, archive or shared object: defined
symbols with global, weak or unique binding and default or protected
visibility (for a shared object, of its ``.dynsym``). ``--undefined`` lists
what it needs instead, ``--all`` every symbol (local and hidden ones too).
The JSON format (``sffi-symbols/1``) is documented in docs/symbols.md. For an
FFI module (docs/modules.md) its descriptor follows, read from its ``.sffi_module``
section without loading it (the ``module`` key in JSON). The table and the JSON
document are written by sffi.commands.symbols_listing.

Exit status: 0 ok, 1 an input could not be read (one ``sffi: ...`` line on
stderr naming the file and what is wrong; nothing is printed on stdout), 4 (worth
review) when a file has symbols whose version index is corrupt (shown as
``<corrupt>``, with a warning on stderr).
"""

from __future__ import annotations

import sys

from sffi.commands.symbols_listing import (COLUMNS, JSON_FORMAT, MODULE_SECTION, module_facts,  # noqa: F401
                                           write_json, write_table)
from sffi.errors import EXIT_OK, EXIT_REVIEW, ScanError

_NONE = {"exports": "(no exported symbols)", "undefined": "(no undefined symbols)",
         "all": "(no symbols)"}


def register(sub) -> None:
    """Add the ``symbols`` subparser (``func=run``)."""
    p = sub.add_parser("symbols", help="list the symbols an object, archive or shared object "
                       "exports (or needs)", description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="+", metavar="PATH", help="a .o, .a/.rlib or .so file")
    p.add_argument("--json", action="store_true", help=f"stable JSON (format {JSON_FORMAT})")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--undefined", action="store_true",
                       help="list the undefined symbols (what it needs) instead of the exports")
    which.add_argument("--all", action="store_true",
                       help="list every symbol, local and hidden ones included")
    p.add_argument("--demangle", action="store_true", help="show C++ and Rust names demangled")
    p.set_defaults(func=run)


def select(symbols: list, args) -> list:
    """The sffi.symbols.Symbol objects the options ask for: exports (default), undefined or all."""
    from sffi.symbols import exports, undefined

    if getattr(args, "all", False):
        return symbols
    if getattr(args, "undefined", False):
        return undefined(symbols)
    return exports(symbols)


def selection_name(args) -> str:
    """``'all'``, ``'undefined'`` or ``'exports'``."""
    if getattr(args, "all", False):
        return "all"
    return "undefined" if getattr(args, "undefined", False) else "exports"


def symbol_json(sym, demangle: bool) -> dict:
    """One symbol as a JSON object (docs/symbols.md); ``demangled`` only with ``--demangle``."""
    doc = {"name": sym.name, "type": sym.type, "binding": sym.binding,
           "visibility": sym.visibility, "size": sym.size, "defined": sym.defined,
           "member": sym.member, "version": sym.version, "version_hidden": sym.version_hidden}
    if demangle:
        doc["demangled"] = sym.demangled
    return doc


def run(args) -> int:
    """Scan every path, then print a table per file or one JSON document.

    Returns:
        0 when every path was read; 1 when one could not be (message on stderr).
    """
    from sffi.symbols import scan_rows

    demangle = getattr(args, "demangle", False)
    selection = selection_name(args)
    try:
        results = [scan_rows(p, selection) for p in args.paths]
    except ScanError as exc:
        print(f"sffi: {exc}", file=sys.stderr)
        return exc.status
    status = warn_corrupt_versions(results)
    if getattr(args, "json", False):
        write_json(results, selection, demangle, sys.stdout)
        return status
    for i, r in enumerate(results):
        if len(results) > 1:
            print(f"{'' if i == 0 else chr(10)}{r.path} ({r.kind}):")
        if not len(r):
            print(_NONE[selection])
            continue
        write_table(r, demangle, sys.stdout)
        show_descriptor(r)
    return status


def warn_corrupt_versions(results: list) -> int:
    """A warning on stderr per file whose listed symbols have a corrupt version index (their
    version shows as ``<corrupt>``, as ``nm -D`` prints it); EXIT_REVIEW if any, else EXIT_OK."""
    status = EXIT_OK
    for r in results:
        bad = r.corrupt_versions()
        if bad:
            print(f"sffi: warning: {r.path}: {bad} symbol{'s' if bad > 1 else ''} with a corrupt version index "
                  "(naming no version of .gnu.version_d or .gnu.version_r), shown as <corrupt>", file=sys.stderr)
            status = EXIT_REVIEW
    return status


def show_descriptor(result) -> None:
    """After a module's symbols: its descriptor, as ``sffi inspect`` prints it (docs/modules.md)."""
    if module_facts(result) is None:
        return
    from sffi.commands import inspect
    print()
    inspect.show(inspect.describe(result.path))
