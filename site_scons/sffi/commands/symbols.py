"""``sffi symbols PATH... [--json] [--undefined | --all] [--demangle]``: list exported symbols.

By default the exports of each object, archive or shared object: defined
symbols with global, weak or unique binding and default or protected
visibility (for a shared object, of its ``.dynsym``). ``--undefined`` lists
what it needs instead, ``--all`` every symbol (local and hidden ones too).
The JSON format (``sffi-symbols/1``) is documented in docs/symbols.md. For an
FFI module (docs/modules.md) its descriptor follows, read from its ``.sffi_module``
section without loading it (the ``module`` key in JSON).

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
from itertools import count, repeat

from sffi.errors import EXIT_OK, ScanError
from sffi.symbols.bulk import BINDING, DEFINED, MEMBER, NAME, SIZE, TYPE, VERSION, VERSION_HIDDEN, VISIBILITY

#: The ``format`` value of the JSON output.
JSON_FORMAT = "sffi-symbols/1"
_NONE = {"exports": "(no exported symbols)", "undefined": "(no undefined symbols)",
         "all": "(no symbols)"}
#: The table's columns; the name is last and not padded (as nm prints it): names run to
#: hundreds of characters (574 in libtorch), padding every row to the longest made the table
#: of libtorch_cpu.so 48 MB where nm writes 6 MB.
COLUMNS = ["type", "bind", "vis", "size", "member", "version", "name"]
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
        if len(results) > 1:
            print(f"{'' if i == 0 else chr(10)}{r.path} ({r.kind}):")
        if not len(r):
            print(_NONE[selection])
            continue
        write_table(r, demangle, sys.stdout)
        show_descriptor(r)
    return EXIT_OK


def show_descriptor(result) -> None:
    """After a module's symbols: its descriptor, as ``sffi inspect`` prints it (docs/modules.md)."""
    if module_facts(result) is None:
        return
    from sffi.commands import inspect
    print()
    inspect.show(inspect.describe(result.path))


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


#: Row fields (sffi.symbols.bulk's positions).
_NAME, _TYPE, _BIND, _VIS, _SIZE, _DEFINED, _MEMBER, _VERSION, _HIDDEN = (
    NAME, TYPE, BINDING, VISIBILITY, SIZE, DEFINED, MEMBER, VERSION, VERSION_HIDDEN)
#: The fields that make the table's cells before the name.
_PREFIX_FIELDS = (_TYPE, _BIND, _VIS, _SIZE, _MEMBER, _VERSION, _HIDDEN)


def _sorted_names(found, demangle: bool) -> list[str]:
    """The names of ``found`` (sffi.symbols.RowScan) in its sorted order, demangled if asked."""
    names = list(map(found.columns[_NAME].__getitem__, found.order))
    if demangle:
        from sffi.symbols.demangle import demangle as demangle_name
        names = list(map(demangle_name, names))
    return names


def _prefix_cells(key: tuple) -> tuple[str, ...]:
    """The cells before the name for one (type, binding, visibility, size, member, version,
    version_hidden)."""
    kind, binding, visibility, size, member, version, hidden = key
    shown = "" if version is None else f"{version} (hidden)" if hidden else version
    return kind, binding, visibility, str(size), member or "", shown


def _distinct(columns: list[list], fields: tuple[int, ...]) -> tuple[dict, list[int]]:
    """The distinct combinations of ``fields`` over the rows of ``columns``, hashed once per row.

    Returns:
        (combination -> its id, the id of each row's combination in table order).
    """
    index: dict[tuple, int] = {}
    ids = list(map(index.setdefault, zip(*(columns[f] for f in fields)), count()))
    return index, ids


def _in_order(texts: dict[int, str], ids: list[int], order: list[int]):
    """The text of each row's combination (``texts``: id -> text), in ``order``."""
    per_row = list(map(texts.__getitem__, ids))
    return map(per_row.__getitem__, order)


def write_table(found, demangle: bool, out) -> None:
    """The symbols of ``found`` (sffi.symbols.RowScan) as the table of docs/symbols.md
    ("Table output"): what sffi.commands.output.write_columns prints, made column-wise.

    The cells before the name repeat (few types, bindings, sizes and versions): each
    distinct prefix is formatted once, and a line is its prefix and the name.
    """
    from sffi.commands.output import _header, _plain, write_columns, text_writer

    names = _sorted_names(found, demangle)
    index, ids = _distinct(found.columns, _PREFIX_FIELDS)
    cells = {i: _prefix_cells(key) for key, i in index.items()}
    columns = [list(c) for c in zip(*cells.values())]
    if "" in names or not all(map(_plain, [*columns, names])):  # what tabulate treats specially
        rows = list(_in_order(cells, ids, found.order))
        write_columns(COLUMNS, [*map(list, zip(*rows)), names], out)
        return
    widths = [max(len(h) + 2, max(map(len, c))) for h, c in zip(COLUMNS, [*columns, names])]
    prefix = {i: "  ".join(map(str.ljust, c, widths)) + "  " for i, c in cells.items()}
    write = text_writer(out)
    write(_header(COLUMNS, widths))
    _write_flat(write, zip(_in_order(prefix, ids, found.order), names, repeat("\n")))


def _write_flat(write, pieces) -> None:
    """Write the strings of the tuples ``pieces`` (one per symbol) in order, a chunk of
    symbols at a time, each chunk joined once (no string per symbol)."""
    flat = itertools.chain.from_iterable(pieces)
    while chunk := "".join(itertools.islice(flat, _CHUNK * 4)):
        write(chunk)


def _json_parts(demangle: bool) -> tuple[str, str, str]:
    """The text of one symbol object at the nesting depth of ``files[].symbols[]``, keys
    sorted, cut where the name (and the demangled name) go: (head, middle, tail) %-templates
    of (binding, defined), (member,) and (size, type, version, version_hidden, visibility)."""
    pad = " " * 10
    head = f'{" " * 8}{{\n{pad}"binding": %s,\n{pad}"defined": %s,\n'
    middle = f'{pad}"member": %s,\n{pad}"name": '
    if demangle:
        head += f'{pad}"demangled": '
        middle = ",\n" + middle
    tail = "".join(f',\n{pad}"{k}": %s' for k in ("size", "type", "version", "version_hidden",
                                                  "visibility")) + f'\n{" " * 8}}}'
    return head, middle, tail


def _json_symbols(found, demangle: bool):
    """Each symbol of ``found`` (sffi.symbols.RowScan), in its sorted order, as the pieces of
    text of one JSON object, the separator from the previous one first (lazily): the parts
    around the names, of few distinct values, are made once each."""
    enc = _string_encoder()
    head, middle, tail = _json_parts(demangle)
    cols, order = found.columns, found.order
    text = {True: "true", False: "false", None: "null"}

    def value(v) -> str:
        return text[v] if v is None or v is True or v is False else enc(v) if isinstance(v, str) else str(v)

    def parts(template: str, fields: tuple[int, ...]):
        index, ids = _distinct(cols, fields)
        return _in_order({i: template % tuple(map(value, k)) for k, i in index.items()}, ids, order)

    names = list(map(cols[_NAME].__getitem__, order))
    pieces = [parts(head, (_BIND, _DEFINED))]
    if demangle:
        pieces.append(map(enc, _sorted_names(found, True)))
    pieces += [parts(middle, (_MEMBER,)), map(enc, names),
               parts(tail, (_SIZE, _TYPE, _VERSION, _HIDDEN, _VIS))]
    return zip(itertools.chain(("",), repeat(",\n")), *pieces)


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
        write(f'    {{\n      "kind": {enc(r.kind)},\n{_module_json(r)}      "path": {enc(r.path)},\n')
        if not len(r):
            write('      "symbols": []\n')
        else:
            write('      "symbols": [\n')
            _write_flat(write, _json_symbols(r, demangle))
            write("\n      ]\n")
        write("    }" + (",\n" if i + 1 < len(results) else "\n"))
    write(f'  ],\n  "format": {enc(JSON_FORMAT)},\n  "selection": {enc(selection)}\n}}\n')
