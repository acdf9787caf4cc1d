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
from itertools import compress
from operator import and_, eq, itemgetter, not_
from pathlib import Path

from sffi.errors import ScanError
from sffi.report import builddir
from sffi.symbols import scan_rows
from sffi.symbols.elf import linked_rows
from sffi.symbols.model import EXPORT_BINDINGS, EXPORT_VISIBILITIES

INPUT_KINDS = ("library", "program", "table", "build")
_RUST_HASHED = re.compile(r"^(_ZN.*17h[0-9a-f]{16}E|_R[NCMXYIB].*)$")
_BINDING_RANK = {"global": 0, "unique": 1, "weak": 2}


@dataclasses.dataclass
class Side:
    """One loaded input.

    Attributes:
        path: as given.
        kind: one of :data:`INPUT_KINDS`.
        description: for the notes, e.g. ``'shared object'``, ``'runtime binary'``.
        exports: name -> exported symbol, as a row (sffi.symbols.spelling's positions:
            ``Symbol(*row)`` makes the object) (for ``table``: empty).
        private: name -> row of a defined symbol that is not exported (local or hidden).
        artifacts: the files read, in order.
        artifact_of: name -> the file its export comes from, where several were
            read (``build``) (:meth:`artifact`).
        table: the parsed extern table (``table`` and ``build``), else None.
        owners: name -> the libraries exporting it (``build`` only; a weak C++
            inline function may be defined by several).
        ignored: how many Rust-mangled symbols were left out.
        corrupt: how many symbols have a corrupt version index (version ``<corrupt>``,
            sffi.symbols.spelling.CORRUPT_VERSION): the report warns, whatever the changes.
    """

    path: str
    kind: str
    description: str
    exports: dict[str, tuple] = dataclasses.field(default_factory=dict)
    private: dict[str, tuple] = dataclasses.field(default_factory=dict)
    artifacts: list[str] = dataclasses.field(default_factory=list)
    artifact_of: dict[str, str] = dataclasses.field(default_factory=dict)
    table: dict | None = None
    owners: dict[str, set[str]] = dataclasses.field(default_factory=lambda: defaultdict(set))
    ignored: int = 0
    corrupt: int = 0

    def library_of(self, name: str) -> str | None:
        """The libraries exporting ``name``, comma-separated (None outside builds)."""
        return ", ".join(sorted(self.owners[name])) if self.owners.get(name) else None

    def artifact(self, name: str) -> str:
        """The file the export ``name`` comes from."""
        return self.artifact_of[name] if len(self.artifacts) > 1 else self.artifacts[0]


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
            result = scan_rows(artifact)
            _collect(side, result.lookup_rows(), library, str(artifact))
            side.corrupt += _corrupt(result)
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
    _collect(side, result.lookup_rows(), None, path)
    side.corrupt += _corrupt(result)
    return side


def _corrupt(result) -> int:
    """How many symbols of a scan (sffi.symbols.RowScan) have a corrupt version index."""
    return result.corrupt_versions()


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
    """Add the defined symbols of one artifact (rows, sffi.symbols.RowScan, of the same name
    in sorted order: RowScan.lookup_rows) to ``side``: exports, else private ones.
    Filtered column-wise (75,000 symbols in tens of milliseconds); one Python step per
    symbol only where names repeat."""
    rows = _interfaces(side, list(compress(rows, map(itemgetter(5), rows))))
    is_export = list(map(and_, map(EXPORT_BINDINGS.__contains__, map(itemgetter(2), rows)),
                         map(EXPORT_VISIBILITIES.__contains__, map(itemgetter(3), rows))))
    exported = list(compress(rows, is_export))
    names = list(map(itemgetter(0), exported))
    side.artifacts.append(artifact)
    several = len(side.artifacts) > 1
    if len(side.artifacts) == 2:  # from the second artifact on: say where each export comes from
        side.artifact_of.update(dict.fromkeys(side.exports, side.artifacts[0]))
    if library is not None:
        for name in names:
            side.owners[name].add(library)
    by_name = dict(zip(names, exported)) if not side.exports else {}
    if len(by_name) == len(names):
        side.exports.update(by_name)
    else:
        by_name = {}
        for name, row in zip(names, exported):
            known = side.exports.get(name)
            # Several definitions (weak C++ inlines, a clash): the strongest binding wins.
            if known is None or _BINDING_RANK[row[2]] < _BINDING_RANK[known[2]]:
                side.exports[name] = by_name[name] = row
    if several:
        side.artifact_of.update(dict.fromkeys(by_name, artifact))
    for row in compress(rows, map(not_, is_export)):
        if (row[2] in EXPORT_BINDINGS or row[2] == "local") and row[0] not in side.private:
            side.private[row[0]] = row


def _interfaces(side: Side, rows: list[tuple]) -> list[tuple]:
    """``rows`` without the absolute symbol ld defines for each version node (not an
    interface) and without Rust-hashed names (counted in ``side.ignored``)."""
    names = list(map(itemgetter(0), rows))
    drop = {i for i in compress(range(len(rows)), map(eq, names, map(itemgetter(7), rows))) if names[i]}
    suspects = _rust_suspects(names)
    for i in compress(range(len(rows)), map(suspects.__contains__, names)) if suspects else ():
        if i not in drop and _RUST_HASHED.match(names[i]):
            side.ignored += 1
            drop.add(i)
    return [r for i, r in enumerate(rows) if i not in drop] if drop else rows


def _rust_suspects(names: list[str]) -> set[str]:
    """The names that may be Rust-hashed (:data:`_RUST_HASHED` decides): those holding
    ``17h`` (a legacy name ends with ``17h<16 hex digits>E``) or starting with ``_R`` (v0),
    found by searching the names joined with NUL bytes (no name holds one) rather than
    looking at each: a C++ library has none or few."""
    if sum(map(len, names)) > 1 << 26:  # N symbols sharing one long name (sffi.symbols.symtab):
        names = list(dict(zip(map(id, names), names)).values())  # each string once, by identity
    text = "\0" + "\0".join(names) + "\0"
    if text.count("\0") != len(names) + 1:  # pragma: no cover - names read from a string table
        return {n for n in names if "17h" in n or n[:2] == "_R"}
    found = set()
    for marker in ("17h", "\0_R"):
        at = text.find(marker)
        while at >= 0:
            start = text.rfind("\0", 0, at + 1) + 1
            end = text.find("\0", start)
            found.add(text[start:end])
            at = text.find(marker, end)
    return found
