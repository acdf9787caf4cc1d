"""The inputs of ``sffi diff OLD NEW``: :func:`load` reads one side into a :class:`Side`.

Inputs (both sides must be of the same kind):

* ``library``: an ELF object, archive (``.a``/``.rlib``) or shared object; its
  exports (sffi.symbols.exports) are compared by name;
* ``program``: a linked executable (the runtime ``simple``, a PIE): its
  ``.symtab`` (sffi.symbols.elf.linked_symbols; FFI libraries are linked in
  statically, so nothing of interest is in ``.dynsym``): the defined global
  and weak functions;
* ``table``: an ``sffi_table.json`` (format ``sffi-table/1``): the externs;
* ``build``: a selection directory (``build/<variant>/sel/<selection>``), or a
  directory holding exactly one: its table, plus the exports of each listed
  library's artifacts under ``build/<variant>/libs/<library>/``, so that a
  symbol that moves from one library to another is an owning-library change.

Rust's mangled symbols (legacy ``_ZN...17h<hash>E`` and v0 ``_R...``) are left
out: they carry a crate hash that changes with every rebuild and are not part
of the C ABI (``#[no_mangle]`` exports are); the notes say how many.

The comparison of two sides is sffi.report.diff.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import defaultdict
from itertools import compress, repeat
from operator import and_, itemgetter, not_
from pathlib import Path
from typing import NamedTuple

from sffi.errors import ScanError
from sffi.report import builddir
from sffi.symbols import Symbol, scan_rows
from sffi.symbols.elf import linked_rows
from sffi.symbols.model import EXPORT_BINDINGS, EXPORT_VISIBILITIES

INPUT_KINDS = ("library", "program", "table", "build")
_RUST_HASHED = re.compile(r"^(_ZN.*17h[0-9a-f]{16}E|_R[NCMXYIB].*)$")
_BINDING_RANK = {"global": 0, "unique": 1, "weak": 2}


class Export(NamedTuple):
    """A defined symbol of one side, with the library and artifact it comes from.

    ``row`` is the bulk decoder's tuple (sffi.symbols.bulk); :attr:`symbol`
    makes the Symbol object, only for the symbols a change is reported for.
    """

    row: tuple
    library: str | None
    artifact: str

    @property
    def symbol(self) -> Symbol:
        """The :class:`sffi.symbols.Symbol` (made on each access)."""
        return Symbol(*self.row)

    @property
    def type(self) -> str:
        """The symbol's type (``'func'``, ``'object'``, ...), without making the Symbol."""
        return self.row[1]


@dataclasses.dataclass
class Side:
    """One loaded input.

    Attributes:
        path: as given.
        kind: one of :data:`INPUT_KINDS`.
        description: for the notes, e.g. ``'shared object'``, ``'runtime binary'``.
        exports: name -> exported symbol (for ``table``: empty).
        private: name -> defined symbol that is not exported (local or hidden).
        table: the parsed extern table (``table`` and ``build``), else None.
        owners: name -> the libraries exporting it (``build`` only; a weak C++
            inline function may be defined by several).
        ignored: how many Rust-mangled symbols were left out.
    """

    path: str
    kind: str
    description: str
    exports: dict[str, Export] = dataclasses.field(default_factory=dict)
    private: dict[str, Export] = dataclasses.field(default_factory=dict)
    table: dict | None = None
    owners: dict[str, set[str]] = dataclasses.field(default_factory=lambda: defaultdict(set))
    ignored: int = 0

    def library_of(self, name: str) -> str | None:
        """The libraries exporting ``name``, comma-separated (None outside builds)."""
        return ", ".join(sorted(self.owners[name])) if self.owners.get(name) else None


def load(path: str | Path) -> Side:
    """Read one side of the diff, detecting its kind.

    Args:
        path: a directory (a build), a ``.json`` (an extern table) or an ELF
            artifact (a library, or a runtime binary).
    Returns:
        The :class:`Side`.
    Raises:
        SffiError: a directory with no build or several (listed), a JSON file
            that is not an extern table, a library listed in a build's table
            with no artifact; ScanError (an SffiError) for a missing, corrupt
            or non-ELF artifact.
    """
    p = Path(path)
    if p.is_dir():
        return _load_build(builddir.selection_dir(p), str(path))
    if p.suffix == ".json":
        return Side(str(path), "table", "extern table", table=builddir.load_table(p))
    return _load_artifact(str(path))


def _load_build(sel_dir: Path, given: str) -> Side:
    table = builddir.load_table(sel_dir / builddir.TABLE)
    same = Path(given).resolve() == sel_dir.resolve()
    side = Side(given, "build", "build" if same else f"build {sel_dir}", table=table)
    for library in table.get("libraries", []):
        hint = "rebuild it, or compare the two sffi_table.json files instead"
        for artifact in builddir.library_artifacts(sel_dir, library, hint):
            _collect(side, scan_rows(artifact).rows, library, str(artifact))
    return side


def _load_artifact(path: str) -> Side:
    result = scan_rows(path)
    if result.kind in ("shared", "executable") and _is_program(path):
        side = Side(path, "program", "runtime binary (.symtab functions)")
        functions = [r for r in linked_rows(path) if r[1] in ("func", "ifunc")]
        _collect(side, functions, None, path)
        return side
    side = Side(path, "library", {"object": "object file", "archive": "archive",
                                  "shared": "shared object", "executable": "executable"}[result.kind])
    _collect(side, result.rows, None, path)
    return side


def _is_program(path: str) -> bool:
    """True for an executable: ET_EXEC, or ET_DYN with PT_INTERP or DF_1_PIE (a PIE).

    Raises:
        ScanError: the program headers cannot be read.
    """
    from sffi.symbols.layout import is_program, open_layout

    try:
        with open(path, "rb") as f:
            return is_program(open_layout(f, os.fstat(f.fileno()).st_size, path))
    except OSError as exc:
        raise ScanError(f"cannot read: {exc.strerror or exc}", location=path) from None


def _collect(side: Side, rows: list[tuple], library: str | None, artifact: str) -> None:
    """Add the defined symbols of one artifact (rows, sffi.symbols.bulk) to ``side``:
    exports, else private ones. Filtered column-wise (75,000 symbols in tens of
    milliseconds); one Python step per symbol only where names repeat."""
    rows = _interfaces(side, list(compress(rows, map(itemgetter(5), rows))))
    is_export = list(map(and_, map(EXPORT_BINDINGS.__contains__, map(itemgetter(2), rows)),
                         map(EXPORT_VISIBILITIES.__contains__, map(itemgetter(3), rows))))
    exported = list(compress(rows, is_export))
    names = list(map(itemgetter(0), exported))
    entries = list(map(tuple.__new__, repeat(Export), zip(exported, repeat(library), repeat(artifact))))
    if library is not None:
        for name in names:
            side.owners[name].add(library)
    by_name = dict(zip(names, entries)) if not side.exports else {}
    if len(by_name) == len(names):
        side.exports.update(by_name)
    else:
        for name, entry in zip(names, entries):
            known = side.exports.get(name)
            # Several definitions (weak C++ inlines, a clash): the strongest binding wins.
            if known is None or _BINDING_RANK[entry.row[2]] < _BINDING_RANK[known.row[2]]:
                side.exports[name] = entry
    for row in compress(rows, map(not_, is_export)):
        if (row[2] in EXPORT_BINDINGS or row[2] == "local") and row[0] not in side.private:
            side.private[row[0]] = Export(row, library, artifact)


def _interfaces(side: Side, rows: list[tuple]) -> list[tuple]:
    """``rows`` without the absolute symbol ld defines for each version node (not an
    interface) and without Rust-hashed names (counted in ``side.ignored``)."""
    drop = {i for i in compress(range(len(rows)), map(itemgetter(7), rows))
            if rows[i][0] == rows[i][7]}
    names = list(map(itemgetter(0), rows))
    joined = "\n" + "\n".join(names) + "\n"
    if joined.count("\n") != len(names) + 1:  # a name with a newline: look at each
        suspects = {n for n in names if "17h" in n or n[:2] == "_R"}
    else:
        suspects = _lines_with(joined, "17h") | _lines_with(joined, "\n_R")
    for i in compress(range(len(rows)), map(suspects.__contains__, names)) if suspects else ():
        if i not in drop and _RUST_HASHED.match(names[i]):
            side.ignored += 1
            drop.add(i)
    return [r for i, r in enumerate(rows) if i not in drop] if drop else rows


def _lines_with(joined: str, needle: str) -> set[str]:
    """The lines of ``joined`` (newline-framed) that contain ``needle`` (one that starts with a
    newline: the lines that start with the rest)."""
    found, pos = set(), joined.find(needle)
    while pos != -1:
        at = pos + 1 if needle[0] == "\n" else pos
        start = joined.rfind("\n", 0, at) + 1
        end = joined.find("\n", at)
        found.add(joined[start:end])
        pos = joined.find(needle, end)
    return found
