"""``sffi symbols PATH... [--json] [--undefined | --all] [--demangle]``: list exported symbols.

By default the exports of each object, archive or shared object: defined
symbols with global, weak or unique binding and default or protected
visibility (for a shared object, of its ``.dynsym``). ``--undefined`` lists
what it needs instead, ``--all`` every symbol (local and hidden ones too).
The JSON format (``sffi-symbols/1``) is documented in docs/symbols.md.

Exit status: 0 ok, 1 an input could not be read (one ``sffi: ...`` line on
stderr naming the file and what is wrong; nothing is printed on stdout).
"""

from __future__ import annotations

import sys

from sffi.commands.output import print_json, print_table
from sffi import module_table
from sffi.errors import EXIT_OK, ScanError, SffiError
from sffi.symbols import Symbol, exports, scan_file, undefined

#: The ``format`` value of the JSON output.
JSON_FORMAT = "sffi-symbols/1"
_NONE = {"exports": "(no exported symbols)", "undefined": "(no undefined symbols)",
         "all": "(no symbols)"}
COLUMNS = ["name", "type", "bind", "vis", "size", "member", "version"]


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


def select(symbols: list[Symbol], args) -> list[Symbol]:
    """The symbols the options ask for: exports (default), undefined or all."""
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


def _version_cell(sym: Symbol) -> str:
    if sym.version is None:
        return ""
    return f"{sym.version} (hidden)" if sym.version_hidden else sym.version


def symbol_json(sym: Symbol, demangle: bool) -> dict:
    """One symbol as a JSON object (docs/symbols.md); ``demangled`` only with ``--demangle``."""
    doc = {"name": sym.name, "type": sym.type, "binding": sym.binding,
           "visibility": sym.visibility, "size": sym.size, "defined": sym.defined,
           "member": sym.member, "version": sym.version, "version_hidden": sym.version_hidden}
    if demangle:
        doc["demangled"] = sym.demangled
    return doc


def module_facts(result):
    """The FFI module descriptor of a scanned shared object (sffi.module_table), or None."""
    if result.kind != "shared":
        return None
    try:
        return module_table.read_module(result.path)[0]
    except SffiError:
        return None  # not a module: nothing to add


def _file_json(r, args, demangle: bool) -> dict:
    doc = {"path": r.path, "kind": r.kind, "symbols": [symbol_json(s, demangle) for s in select(r.symbols, args)]}
    facts = module_facts(r)
    if facts is not None:
        doc["module"] = facts.as_json()  # docs/modules.md
    return doc


def run(args) -> int:
    """Scan every path, then print a table per file or one JSON document.

    Returns:
        0 when every path was read; 1 when one could not be (message on stderr).
    """
    demangle = getattr(args, "demangle", False)
    try:
        results = [scan_file(p) for p in args.paths]
    except ScanError as exc:
        print(f"sffi: {exc}", file=sys.stderr)
        return exc.status
    if getattr(args, "json", False):
        print_json({"format": JSON_FORMAT, "selection": selection_name(args),
                    "files": [_file_json(r, args, demangle) for r in results]})
        return EXIT_OK
    for i, r in enumerate(results):
        chosen = select(r.symbols, args)
        if len(results) > 1:
            print(f"{'' if i == 0 else chr(10)}{r.path} ({r.kind}):")
        if not chosen:
            print(_NONE[selection_name(args)])
            continue
        print_table(COLUMNS, [[s.demangled if demangle else s.name, s.type, s.binding,
                               s.visibility, str(s.size), s.member or "", _version_cell(s)]
                              for s in chosen])
        facts = module_facts(r)
        if facts is not None:
            print(f"FFI module of library '{facts.library}': ABI version {facts.abi_version}, "
                  f"{len(facts.entries)} externs, build {facts.build_id} (sffi inspect {r.path})")
    return EXIT_OK
