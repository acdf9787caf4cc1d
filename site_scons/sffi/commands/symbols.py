"""``sffi symbols PATH... [--json] [--undefined | --all] [--demangle]``: list exported symbols.

By default the exports of each object, archive or shared object: defined
symbols with global, weak or unique binding and default or protected
visibility (for a shared object, of its ``.dynsym``). ``--undefined`` lists
what it needs instead, ``--all`` every symbol (local and hidden ones too).
The JSON format (``sffi-symbols/1``) is documented in docs/symbols.md.

The symbols are printed from the bulk decoder's rows (sffi.symbols.bulk):
no object per symbol, the table written without tabulate, the JSON document
streamed with each string through the json module's C encoder, byte for byte
what ``json.dumps(doc, indent=2, sort_keys=True)`` gives.

Exit status: 0 ok, 1 an input could not be read (one ``sffi: ...`` line on
stderr naming the file and what is wrong; nothing is printed on stdout).
"""

from __future__ import annotations

import itertools
import sys
from operator import itemgetter

from sffi.errors import EXIT_OK, ScanError

#: The ``format`` value of the JSON output.
JSON_FORMAT = "sffi-symbols/1"
_NONE = {"exports": "(no exported symbols)", "undefined": "(no undefined symbols)",
         "all": "(no symbols)"}
COLUMNS = ["name", "type", "bind", "vis", "size", "member", "version"]
_CHUNK = 4096


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
    if getattr(args, "json", False):
        write_json(results, selection, demangle, sys.stdout)
        return EXIT_OK
    for i, r in enumerate(results):
        chosen = r.rows
        if len(results) > 1:
            print(f"{'' if i == 0 else chr(10)}{r.path} ({r.kind}):")
        if not chosen:
            print(_NONE[selection])
            continue
        write_table(chosen, demangle, sys.stdout)
        facts = module_facts(r)
        if facts is not None:
            print(f"FFI module of library '{facts.library}': ABI version {facts.abi_version}, "
                  f"{len(facts.entries)} externs, build {facts.build_id} (sffi inspect {r.path})")
    return EXIT_OK


def module_facts(result):
    """The FFI module descriptor of a scanned shared object (docs/modules.md), or None."""
    if result.kind != "shared":
        return None
    from sffi import module_table
    from sffi.errors import SffiError
    try:
        return module_table.read_module(result.path)[0]
    except SffiError:
        return None  # not a module: nothing to add


def _module_json(result) -> str:
    """``"module": {...},`` at the depth of ``files[]`` keys, or "" for a file that is not a module."""
    facts = module_facts(result)
    if facts is None:
        return ""
    import json
    text = json.dumps(facts.as_json(), indent=2, sort_keys=True).replace("\n", "\n      ")
    return f'      "module": {text},\n'


def _names(rows: list[tuple], demangle: bool) -> list[str]:
    names = list(map(itemgetter(0), rows))
    if demangle:
        from sffi.symbols.demangle import demangle as demangle_name
        names = list(map(demangle_name, names))
    return names


def write_table(rows: list[tuple], demangle: bool, out) -> None:
    """The rows as the aligned table of docs/symbols.md ("Table output")."""
    from sffi.commands.output import write_columns

    names, types, binds, vises, sizes, _defined, members, versions, hidden, _value = map(list, zip(*rows))
    if any(versions):
        keys = list(zip(versions, hidden))
        cells = {(v, h): "" if v is None else f"{v} (hidden)" if h else v for v, h in set(keys)}
        versions = list(map(cells.__getitem__, keys))
    else:
        versions = [""] * len(rows)
    if None in members:
        members = [m or "" for m in members]
    if demangle:
        names = _names(rows, True)
    write_columns(COLUMNS, [names, types, binds, vises, _texts(sizes), members, versions], out)


def _texts(numbers: list[int]) -> list[str]:
    """``str`` of each number, each distinct value converted once (sizes repeat a lot)."""
    text = {n: str(n) for n in set(numbers)}
    return list(map(text.__getitem__, numbers))


def _symbol_template(demangle: bool) -> str:
    """One symbol object at the nesting depth of ``files[].symbols[]``, keys sorted."""
    keys = ["binding", "defined", *(["demangled"] if demangle else []), "member", "name", "size",
            "type", "version", "version_hidden", "visibility"]
    inner = ",\n".join(f'{" " * 10}"{k}": %s' for k in keys)
    return f'{" " * 8}{{\n{inner}\n{" " * 8}}}'


def _json_symbols(rows: list[tuple], demangle: bool):
    """Each row as the text of one JSON object (lazily)."""
    enc = _string_encoder()
    names, types, binds, vises, sizes, defined, members, versions, hidden, _value = zip(*rows)
    boolean = {True: "true", False: "false"}.__getitem__

    def encoded(values: tuple) -> map:
        """Strings of few distinct values (and None) encoded once each."""
        table = {v: "null" if v is None else enc(v) for v in set(values)}
        return map(table.__getitem__, values)

    columns = [encoded(binds), map(boolean, defined),
               *([map(enc, _names(rows, True))] if demangle else []),
               encoded(members), map(enc, names), sizes, encoded(types), encoded(versions),
               map(boolean, hidden), encoded(vises)]
    return map(_symbol_template(demangle).__mod__, zip(*columns))


def _string_encoder():
    """json's C function that encodes a str as a JSON string (what ``json.dumps`` uses with
    ``ensure_ascii``), without importing the json package (its decoder and regexes)."""
    try:
        from _json import encode_basestring_ascii
    except ImportError:  # pragma: no cover - a Python without the C accelerator
        from json.encoder import encode_basestring_ascii
    return encode_basestring_ascii


def write_json(results: list, selection: str, demangle: bool, out) -> None:
    """The ``sffi-symbols/1`` document, streamed (docs/symbols.md, "JSON output").

    Args:
        results: sffi.symbols.RowScan per path, scanned with ``selection``.
    """
    from sffi.commands.output import text_writer

    enc = _string_encoder()
    write = text_writer(out)
    write('{\n  "files": [\n')
    for i, r in enumerate(results):
        chosen = r.rows
        write(f'    {{\n      "kind": {enc(r.kind)},\n{_module_json(r)}      "path": {enc(r.path)},\n')
        if not chosen:
            write('      "symbols": []\n')
        else:
            write('      "symbols": [\n')
            objects = _json_symbols(chosen, demangle)
            first = True
            while chunk := list(itertools.islice(objects, _CHUNK)):
                write(("" if first else ",\n") + ",\n".join(chunk))
                first = False
            write("\n      ]\n")
        write("    }" + (",\n" if i + 1 < len(results) else "\n"))
    write(f'  ],\n  "format": {enc(JSON_FORMAT)},\n  "selection": {enc(selection)}\n}}\n')
