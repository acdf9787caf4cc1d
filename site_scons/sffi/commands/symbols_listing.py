"""How ``sffi symbols`` prints scanned symbols: the table and the ``sffi-symbols/1`` JSON document
(docs/symbols.md, "Table output" and "JSON output").

The symbols are printed from the decoder's rows and keys (sffi.symbols.symtab):
no object per symbol, the table written without tabulate, the JSON document
streamed with each string through the json module's C encoder, byte for byte
what ``json.dumps(doc, indent=2, sort_keys=True)`` gives. Where it applies
(:func:`_accelerated`), the rows are sorted and written by the C extension
(sffi.symbols.symtab.Table.render) from per-attribute text spelled here. Rows are
written in chunks of bounded size (docs/symbols.md, "Hostile inputs").
"""

from __future__ import annotations

import itertools
from itertools import repeat

from sffi.symbols.spelling import BINDING, DEFINED, MEMBER, NAME, SIZE, TYPE, VERSION, VERSION_HIDDEN, VISIBILITY

#: The ``format`` value of the JSON output.
JSON_FORMAT = "sffi-symbols/1"
#: The table's columns; the name is last and not padded (as nm prints it): names run to
#: hundreds of characters (574 in libtorch), padding every row to the longest made the table
#: of libtorch_cpu.so 48 MB where nm writes 6 MB.
COLUMNS = ["type", "bind", "vis", "size", "member", "version", "name"]
_CHUNK = 4096
#: At most this many bytes of rows are held at once (one chunk of :func:`_write_rows`, or the
#: whole output of the C path, which writes it in one piece): N symbols sharing one long name
#: (a hostile file, issue 24) make an output of N times its length, streamed in pieces.
_CHUNK_BYTES = 1 << 22
_C_PATH_BYTES = 1 << 26


#: sffi.module_table.SECTION, the section that makes a shared object an FFI module: not
#: imported from there, because importing sffi.module_table (dataclasses, hashlib, the table
#: generator) costs ~15 ms of start-up, and reading a file with pyelftools to look for it ~0.1 s
#: on libtorch_cpu.so (it parses the whole GNU hash table); a test keeps the two equal.
MODULE_SECTION = ".sffi_module"


def module_facts(result):
    """The FFI module descriptor of a scanned shared object (docs/modules.md), or None.

    Only a file with the module's section (read from the section table by
    sffi.symbols.has_section) is read as a module.
    """
    if result.kind != "shared":
        return None
    from sffi.symbols import has_section
    if not has_section(result.path, (MODULE_SECTION,)):
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


#: Row fields (sffi.symbols.spelling's positions).
_NAME, _TYPE, _BIND, _VIS, _SIZE, _DEFINED, _MEMBER, _VERSION, _HIDDEN = (
    NAME, TYPE, BINDING, VISIBILITY, SIZE, DEFINED, MEMBER, VERSION, VERSION_HIDDEN)
#: The fields that make the table's cells before the name.
_PREFIX_FIELDS = (_TYPE, _BIND, _VIS, _SIZE, _MEMBER, _VERSION, _HIDDEN)


def _sorted_names(found, demangle: bool) -> list[str]:
    """The names of ``found`` (sffi.symbols.RowScan) in its sorted order, demangled if asked."""
    names = list(map(found.names.__getitem__, found.order))
    if demangle:
        from sffi.symbols.demangle import demangle as demangle_name
        names = _each_once(demangle_name, names)
    return names


def _each_once(func, items: list[str]) -> list[str]:
    """``list(map(func, items))``, calling ``func`` once per distinct item: N symbols may share
    one long name (issue 24), and their results are then shared too."""
    made = {item: func(item) for item in set(items)}
    return list(map(made.__getitem__, items))


def _prefix_cells(key: tuple) -> tuple[str, ...]:
    """The cells before the name for one (type, binding, visibility, size, member, version,
    version_hidden)."""
    kind, binding, visibility, size, member, version, hidden = key
    shown = "" if version is None else f"{version} (hidden)" if hidden else version
    return kind, binding, visibility, str(size), member or "", shown


def _widths(headers: list[str], columns: list[list[str]]) -> list[int]:
    """The width of each column (characters): its longest cell, at least its header plus 2."""
    return [max(len(h) + 2, max(map(len, c))) for h, c in zip(headers, columns)]


def _in_order(texts: dict[int, str], ids: list[int], order: list[int]):
    """The text of each row's group (``texts``: group id -> text), in ``order``."""
    per_row = list(map(texts.__getitem__, ids))
    return map(per_row.__getitem__, order)


def write_table(found, demangle: bool, out) -> None:
    """The symbols of ``found`` (sffi.symbols.RowScan) as the table of docs/symbols.md
    ("Table output"): what sffi.commands.output.write_columns prints, made column-wise.

    The cells before the name repeat (few types, bindings, sizes and versions): each
    distinct prefix is formatted once, and a line is its prefix and the name.
    """
    from sffi.commands.output import _header, _plain, write_columns, text_writer

    if not demangle and _write_table_c(found, out):
        return
    names = _sorted_names(found, demangle)
    groups, ids = found.groups(_PREFIX_FIELDS)
    cells = {i: _prefix_cells(key) for i, key in groups.items()}
    columns = [list(c) for c in zip(*cells.values())]
    # Names: the string table at once (printable ASCII, no space), else each.
    plain = (not demangle and found.table is not None and found.table.only_printable(excluding=b" ")
             or _plain(list(dict.fromkeys(names))))
    if "" in names or not plain or not all(map(_plain, columns)):  # what tabulate treats specially
        rows = list(_in_order(cells, ids, found.order))
        write_columns(COLUMNS, [*map(list, zip(*rows)), names], out)
        return
    widths = _widths(COLUMNS, [*columns, names])
    line = "".join(f"%-{w}s  " for w in widths[:-1]).__mod__  # one C call per distinct prefix
    prefix = {i: line(c) for i, c in cells.items()}
    write = text_writer(out)
    write(_header(COLUMNS, widths))
    _write_rows(write, [list(_in_order(prefix, ids, found.order)), names], "\n", "\n")


def _accelerated(found, excluding: bytes) -> bool:
    """Whether the C path (sffi.symbols.symtab.Table.render) prints ``found`` as the Python
    path does: one ELF file decoded with the extension (an object: without ``.symver`` names
    to split), its string table printable ASCII without ``excluding`` (so that names sort and
    print as their bytes)."""
    table = found.table
    return (table is not None and (table.exact or table.kind != "object")
            and table.only_printable(excluding=excluding)
            and (len(table) * (table.survey[3] + 256) <= _C_PATH_BYTES
                 or len(table) * 256 + table.name_bytes() <= _C_PATH_BYTES))


def _attribute_fields(table, fields: tuple[int, ...]) -> dict[int, tuple]:
    """``fields`` of the symbols of each distinct attribute (``key >> 32``) of ``table``."""
    return {a: tuple(table.fields(a << 32)[f] for f in fields) for a in table.survey[0]}


def _byte_writer(out):
    """A function writing ASCII ``bytes`` to ``out`` (its binary buffer when it has one)."""
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        return lambda data: out.write(data.decode("ascii"))
    out.flush()
    return buffer.write


def _write_table_c(found, out) -> bool:
    """:func:`write_table` by the C path, when it applies (:func:`_accelerated`, no empty
    name, plain cells: no tabulate rule); False, writing nothing, when it does not."""
    from sffi.commands.output import _header, _plain

    if not _accelerated(found, b" ") or found.table.survey[2]:
        return False
    _, largest, _, _ = found.table.survey
    cells = {a: _prefix_cells(k) for a, k in _attribute_fields(found.table, _PREFIX_FIELDS).items()}
    columns = [list(c) for c in zip(*cells.values())]
    if not all(map(_plain, columns)):
        return False
    widths = _widths(COLUMNS, columns)
    widths[3] = max(len(COLUMNS[3]) + 2, len(str(largest)))
    widths.append(max(len(COLUMNS[-1]) + 2, found.table.survey[3]))
    before = "".join(f"%-{w}s  " for w in widths[:3])
    after = "  " + "".join(f"%-{w}s  " for w in widths[4:6])
    parts = {a: ((before % c[:3]).encode(), (after % c[4:]).encode(), b"") for a, c in cells.items()}
    write = _byte_writer(out)  # the pieces one by one: joined, the 9 MB of libtorch's rows are copied twice
    write(_header(COLUMNS, widths).encode())
    write(found.table.render(parts, widths[3], True, b"\n"))
    write(b"\n")
    return True


def _write_rows(write, columns: list[list[str]], between: str, after: str) -> None:
    """Write row after row the strings of ``columns`` (lists of equal length), ``between``
    between two rows and ``after`` after the last: a chunk of rows at a time, each chunk
    joined once (no string per row; slices of the lists, zipped, measured 2x faster than
    one iterator over all the rows). A chunk holds at most :data:`_CHUNK_BYTES` of the
    longest rows, so that memory is bounded by a chunk, not by the output."""
    rows = len(columns[0])
    longest = sum(max(map(len, c), default=0) for c in columns) + len(between)
    step = max(1, min(_CHUNK, _CHUNK_BYTES // longest))
    for start in range(0, rows, step):
        stop = start + step
        chunk = "".join(itertools.chain.from_iterable(zip(*(c[start:stop] for c in columns), repeat(between))))
        write(chunk if stop < rows else chunk[:len(chunk) - len(between)] + after)


#: The text of one symbol's JSON object around its values (keys sorted, at the depth of
#: ``files[].symbols[]``), shared by the Python and the C path: the head up to the member,
#: the member and the key of the name, the key of the size, and the keys after it.
_JSON_PAD = " " * 10
_JSON_HEAD = f'{" " * 8}{{\n{_JSON_PAD}"binding": %s,\n{_JSON_PAD}"defined": %s,\n'
_JSON_MEMBER = f'{_JSON_PAD}"member": %s,\n{_JSON_PAD}"name": '
_JSON_SIZE = f',\n{_JSON_PAD}"size": %s'
_JSON_TAIL = "".join(f',\n{_JSON_PAD}"{k}": %s' for k in ("type", "version", "version_hidden", "visibility")) \
    + f'\n{" " * 8}}}'


def _json_symbols(found, demangle: bool) -> list[list[str]]:
    """The symbols of ``found`` (sffi.symbols.RowScan), in its sorted order, as columns of
    text whose rows, joined, are their JSON objects (keys sorted, at the nesting depth of
    ``files[].symbols[]``): the text around the names, of few distinct values, is made once
    per group of rows (sffi.symbols.RowScan.groups), the names quoted by json's encoder
    unless the string table needs no escape."""
    enc = _string_encoder()
    order = found.order
    value = _json_value(enc)
    names = list(map(found.names.__getitem__, order))
    # Printable ASCII without '"' or '\\' needs no escape: the quotes go with the text around.
    quote = '"' if found.table is not None and found.table.only_printable(excluding=b'"\\') else ""
    head = _JSON_HEAD
    middle = _JSON_MEMBER + quote
    tail = quote + _JSON_SIZE + _JSON_TAIL
    fields = (_BIND, _DEFINED, _MEMBER, _SIZE, _TYPE, _VERSION, _HIDDEN, _VIS)
    groups, ids = found.groups(fields)
    texts = {i: tuple(map(value, k)) for i, k in groups.items()}
    if demangle:
        parts = [(head + f'{_JSON_PAD}"demangled": ', lambda v: v[:2]), (",\n" + middle, lambda v: v[2:3])]
    else:
        parts = [(head + middle, lambda v: v[:3])]
    columns = [list(_in_order({i: template % pick(v) for i, v in texts.items()}, ids, order))
               for template, pick in parts]
    if demangle:
        columns.insert(1, _each_once(enc, _sorted_names(found, True)))
    columns.append(names if quote else _each_once(enc, names))
    columns.append(list(_in_order({i: tail % v[3:] for i, v in texts.items()}, ids, order)))
    return columns


def _write_json_c(found, out) -> bool:
    """The rows of :func:`_json_symbols` (without ``--demangle``) and the end of the list, by
    the C path, when it applies (:func:`_accelerated`: names that need no escape); False,
    writing nothing, when it does not."""
    if not _accelerated(found, b'"\\'):
        return False
    value = _json_value(_string_encoder())
    head, size = _JSON_HEAD + _JSON_MEMBER + '"', ('"' + _JSON_SIZE % "").encode()
    fields = (_BIND, _DEFINED, _MEMBER, _TYPE, _VERSION, _HIDDEN, _VIS)
    parts = {}
    for a, k in _attribute_fields(found.table, fields).items():
        v = tuple(map(value, k))
        parts[a] = ((head % v[:3]).encode(), size, (_JSON_TAIL % v[3:]).encode())
    write = _byte_writer(out)
    write(found.table.render(parts, 0, False, b",\n"))
    write(b"\n      ]\n")
    return True


def _json_value(enc):
    """A function spelling a field's value (str through ``enc``, bool, None, int) as JSON."""
    literal = {True: "true", False: "false", None: "null"}

    def value(v) -> str:
        return literal[v] if v is None or v is True or v is False else enc(v) if isinstance(v, str) else str(v)
    return value


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
            if demangle or not _write_json_c(r, out):
                _write_rows(write, _json_symbols(r, demangle), ",\n", "\n      ]\n")
        write("    }" + (",\n" if i + 1 < len(results) else "\n"))
    write(f'  ],\n  "format": {enc(JSON_FORMAT)},\n  "selection": {enc(selection)}\n}}\n')
