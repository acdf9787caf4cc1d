"""``sffi diff`` of two shared objects with the comparison in C (sffi.symbols.symtab.diff_tables).

:func:`sffi.report.diff_inputs.load` makes a row per symbol of each side and
sffi.report.diff compares the two sides' dicts by name; on two libraries of
75,000 exports that is most of the run. Here each side is decoded (names left in
the string table), and the C extension reduces both to their interfaces, sorts
them by name, walks them together and gives back only the names whose export
differs: the :class:`sffi.report.diff_inputs.Side` made from that holds just
those names' rows, which is all that sffi.report.diff.compare_symbols reads.

It applies to two ELF shared objects or executables that are not runtime
binaries, whose string tables are printable ASCII (names compare as bytes as they
do as ``str``; the Rust-hash rule's ``.`` and ``$`` need no case for a newline), neither with DWARF
(signatures are then not compared, only the functions both sides export counted)
and with the C extension built; anything else (None) takes the Python path,
which stays the reference (tests/sffi/report/test_diff.py compares the two).
"""

from __future__ import annotations

import os
from operator import itemgetter

from sffi.report.diff_inputs import Side, _is_program
from sffi.symbols import DEBUG_INFO_SECTIONS, has_section, scan_rows, symtab

_DESCRIPTIONS = {"shared": "shared object", "executable": "executable"}


def load_pair(old_path, new_path, variable_types: frozenset[str]) -> tuple[Side, Side, int] | None:
    """Both sides of a diff of two shared objects, with only the exports that differ.

    Args:
        old_path, new_path: as sffi.report.diff.diff.
        variable_types: sffi.report.diff's type spellings of variables.
    Returns:
        (old side, new side, how many functions both export), the sides' ``exports``
        and ``private`` holding only the names whose exports differ; None when this
        path does not apply (module docstring): the caller loads both sides itself.
    Raises:
        ScanError: a missing, unreadable or corrupt file (as sffi.report.diff_inputs.load,
            in the same order: OLD first).
    """
    if not symtab.available() or not all(map(_is_file, (old_path, new_path))):
        return None
    tables = []
    for path in (str(old_path), str(new_path)):
        result = scan_rows(path)
        table = result.table
        if result.kind not in _DESCRIPTIONS or _is_program(path) or not table.only_printable():
            return None
        tables.append((result.kind, table))
    if any(has_section(str(p), DEBUG_INFO_SECTIONS) for p in (old_path, new_path)):
        return None
    found = symtab.diff_tables(tables[0][1], tables[1][1], variable_types)
    if found is None:
        return None
    changes, ignored, corrupt, functions = found
    old, new = (_side(str(path), kind, table, n, ignored[n], corrupt[n], changes)
                for n, (path, (kind, table)) in enumerate(zip((old_path, new_path), tables)))
    return old, new, functions


def _is_file(path) -> bool:
    """Not a directory (a build) nor an extern table (``.json``): sffi.report.diff_inputs.load's test."""
    return not os.path.isdir(path) and os.path.splitext(str(path))[1] != ".json"


def _side(path: str, kind: str, table: symtab.Table, n: int, ignored: int, corrupt: int, changes: list) -> Side:
    """Side ``n`` (0: old) of the diff from :func:`sffi.symbols.symtab.diff_tables`' changes."""
    side = Side(path, "library", _DESCRIPTIONS[kind], artifacts=[path], ignored=ignored, corrupt=corrupt)
    for found, column in ((side.exports, n), (side.private, 2 + n)):
        rows = table.rows([change[column] for change in changes if change[column] is not None])
        found.update(zip(map(itemgetter(0), rows), rows))
    return side
