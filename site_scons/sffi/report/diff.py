"""``sffi diff OLD NEW``: what changed between two builds, after libabigail's ``abidiff``.

The inputs (a library, a runtime binary, an extern table or a build directory,
both sides of the same kind) are read by sffi.report.diff_inputs; this module
compares two of them, classifies each difference, applies the suppressions and
builds the report.

Each difference is a :class:`Change`. Its class decides the exit status bits
(sffi.errors, abidiff(1) "Return values": a removed function or a function
sub-type change is incompatible, 8|4 = 12; an addition is worth review, 4).

Incompatible (12):

* removed: a symbol or extern is gone; also an export still defined but made
  local or hidden (attribute ``binding``/``visibility``: ``static``,
  ``-fvisibility=hidden``);
* ``signature``: the C prototypes from DWARF differ (both sides built with
  ``-g``; sffi.dwarf.compare), or the table's ``.spl`` signature;
* ``library``: an extern's owning library (``--with`` must change), or a
  library that no longer exports a symbol;
* ``version``: ``@@V`` -> none, ``@@V1`` -> ``@@V2``, ``@@V`` -> ``@V``
  (callers linked against the old version stop binding);
* ``type``: function <-> variable, or to or from ``tls``;
* ``size`` of a variable (copy relocations), ``abi_version`` of the table.

Worth review (4):

* added: a new symbol or extern, also a local made global;
* ``binding`` global <-> weak <-> unique, ``visibility`` default <-> protected
  (both sides are exports);
* ``version``: none -> ``@@V``, ``@V`` -> ``@@V``;
* ``type``: func <-> ifunc/notype, object <-> common;
* ``library``: one more library also exports a symbol (a weak C++ inline).

Suppressed changes (sffi.report.suppress) are listed apart, counted in the
summary, and do not count toward the exit status. The report is a
sffi.report.model.Report of kind ``sffi-diff``; its JSON payload is documented
in docs/reports.md ("sffi diff").
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from itertools import compress, filterfalse
from operator import itemgetter, not_
from pathlib import Path

from sffi.errors import EXIT_INCOMPATIBLE, EXIT_OK, EXIT_REVIEW, EXIT_USAGE, SffiError
from sffi.report import suppress as suppress_mod
from sffi.report.diff_inputs import Side, load
from sffi.report.model import Report, Table
from sffi.symbols import DEBUG_INFO_SECTIONS, Symbol, has_section


def demangle_name(name: str) -> str:
    """sffi.symbols.demangle.demangle, imported on first use (cxxfilt loads libstdc++)."""
    from sffi.symbols.demangle import demangle

    return demangle(name)

_VARIABLE_TYPES = frozenset({"object", "common", "tls"})


@dataclasses.dataclass(frozen=True)
class Change:
    """One difference between OLD and NEW.

    Attributes:
        kind: ``'added'``, ``'removed'`` or ``'changed'``.
        what: ``'extern'`` (a table entry), ``'function'``, ``'variable'`` or
            ``'table'`` (the table's ``abi_version``).
        name: the extern or symbol name (as stored: mangled for C++).
        library: the owning library where known (tables, build directories).
        attribute: for ``changed``: ``'signature'``, ``'binding'``,
            ``'visibility'``, ``'version'``, ``'type'``, ``'size'``, ``'library'``
            or ``'abi_version'``; for an export that became local (removed) or
            a local that became exported (added): ``'binding'`` or
            ``'visibility'``; else None.
        old: the old value (for an added entry: None).
        new: the new value (for a removed entry: None, unless it became local).
        incompatible: the class (module docstring): True sets exit bits 12,
            False bit 4.
        reason: extra words where old and new alone do not show the difference.
    """

    kind: str
    what: str
    name: str
    library: str | None = None
    attribute: str | None = None
    old: str | None = None
    new: str | None = None
    incompatible: bool = False
    reason: str | None = None

    @property
    def detail(self) -> str:
        """One line: ``'signature: (i64) -> i64 => (i64, f64) -> i64'``, or the old/new value alone."""
        if self.attribute is None:
            return self.old if self.kind == "removed" else (self.new or "")
        text = f"{self.attribute}: {self.old} => {self.new}"
        return f"{text} ({self.reason})" if self.reason else text

    def to_json(self) -> dict:
        """The change as a JSON-ready dict (docs/reports.md, "sffi diff")."""
        return {**dataclasses.asdict(self), "detail": self.detail, "demangled": demangle_name(self.name)}


# --------------------------------------------------------------------------- comparing


def compare(old: Side, new: Side, functions: int | None = None) -> tuple[list[Change], list[str]]:
    """Every difference between two sides of the same kind.

    Args:
        old, new: the sides (sffi.report.diff_inputs.load).
        functions: None, or the sides come from sffi.report.diff_fast.load_pair: their
            exports hold only the names that differ, neither has DWARF, and this many
            functions are exported by both (for the signature note).
    Returns:
        (changes sorted by kind: removed, changed, added; then by name; notes for the report: libraries
        entering or leaving a selection, how signatures were compared).
    Raises:
        SffiError / ScanError: unreadable debug info (sffi.dwarf).
    """
    changes: list[Change] = []
    notes: list[str] = []
    if old.table is not None and new.table is not None:
        found, table_notes = compare_tables(old.table, new.table)
        changes += found
        notes += table_notes
    if old.kind != "table":
        differing = _differing(old, new)
        changes += compare_symbols(old, new, differing)
        if functions is None:
            found, note = compare_signatures(old, new, differing)
        else:
            found, note = [], signature_note(0, functions, [*old.artifacts, *new.artifacts])
        changes += found
        notes.append(note)
    order = {"removed": 0, "changed": 1, "added": 2}
    changes.sort(key=lambda c: (order[c.kind], c.name, c.what, c.attribute or ""))
    return changes, notes


def compare_tables(old: dict, new: dict) -> tuple[list[Change], list[str]]:
    """Externs added, removed and changed (signature, owning library) between two tables.

    Args:
        old, new: parsed ``sffi-table/1`` documents (docs/abi.md).
    Returns:
        (changes, notes on libraries that entered or left the selection).
    """
    a = {e["name"]: e for e in old.get("entries", [])}
    b = {e["name"]: e for e in new.get("entries", [])}
    changes = [Change("removed", "extern", n, a[n]["library"], old=a[n]["signature"], incompatible=True)
               for n in a.keys() - b.keys()]
    changes += [Change("added", "extern", n, b[n]["library"], new=b[n]["signature"])
                for n in b.keys() - a.keys()]
    for name in a.keys() & b.keys():
        for attr in ("signature", "library"):
            if a[name][attr] != b[name][attr]:
                changes.append(Change("changed", "extern", name, b[name]["library"], attr,
                                      a[name][attr], b[name][attr], incompatible=True))
    if old.get("abi_version") != new.get("abi_version"):
        changes.append(Change("changed", "table", "abi_version", None, "abi_version",
                              str(old.get("abi_version")), str(new.get("abi_version")), incompatible=True))
    return changes, _library_notes(old.get("libraries", []), new.get("libraries", []))


def _library_notes(old: list[str], new: list[str]) -> list[str]:
    notes = []
    if set(new) - set(old):
        notes.append(f"libraries added to the selection: {', '.join(sorted(set(new) - set(old)))}")
    if set(old) - set(new):
        notes.append(f"libraries left out of the selection: {', '.join(sorted(set(old) - set(new)))}")
    return notes


def compare_symbols(old: Side, new: Side, differing: list[str] | None = None) -> list[Change]:
    """Exported symbols added, removed (or made local) and changed in their ELF attributes.

    ``differing``: :func:`_differing` of the two sides, when already known.
    """
    changes: list[Change] = []
    for name in _differing(old, new) if differing is None else differing:
        a, b = old.exports.get(name), new.exports.get(name)
        if b is None:
            changes.append(_exported_change("removed", a, old.library_of(name), new.private.get(name)))
        elif a is None:
            changes.append(_exported_change("added", b, new.library_of(name), old.private.get(name)))
        else:
            changes += _attribute_changes(a, b, old.library_of(name), new.library_of(name))
    return changes


#: What :func:`_attribute_changes` compares of a row: type, binding, visibility, size, version, hidden.
_COMPARED = itemgetter(1, 2, 3, 4, 7, 8)


def _differing(old: Side, new: Side) -> list[str]:
    """The export names, sorted, that are on one side only or whose compared attributes or
    owners differ: the others cannot yield a change. Found with one symmetric difference of
    the two sides' name -> attributes items (C, one lookup per name: two 75,000-symbol
    libraries compare in tens of milliseconds; matching names across the sides is what costs,
    each lookup compares two strings)."""
    if old.exports == new.exports:  # every field of every export the same (C; stops at the first not)
        names: set[str] = set()
    else:
        a, b = (dict(zip(side.exports, map(_COMPARED, side.exports.values()))) for side in (old, new))
        names = {name for name, _ in a.items() ^ b.items()}
    if old.owners or new.owners:
        names.update(n for n in old.exports.keys() & new.exports.keys()
                     if old.library_of(n) != new.library_of(n))
    return sorted(names)


def what_of(sym: Symbol) -> str:
    """``'variable'`` for data symbols (object, common, tls), else ``'function'``."""
    return "variable" if sym.type in _VARIABLE_TYPES else "function"


def _describe(sym: Symbol) -> str:
    version = sym.versioned_name[len(sym.name):]
    return f"{sym.type} {sym.binding} {sym.visibility}{' ' + version if version else ''}"


def _exported_change(kind: str, row: tuple, library: str | None, other: tuple | None) -> Change:
    """An export (a row, sffi.symbols.RowScan) that is gone (``removed``) or new (``added``).

    ``library``: its owners on its side; ``other``: the same name defined but
    not exported on the other side (a symbol made local or hidden), or None.
    """
    sym = Symbol(*row)
    incompatible = kind == "removed"
    if other is None:
        value = _describe(sym)
        return Change(kind, what_of(sym), sym.name, library, old=value if incompatible else None,
                      new=None if incompatible else value, incompatible=incompatible)
    hidden = Symbol(*other)
    attr = "binding" if hidden.binding == "local" else "visibility"
    before, after = (sym, hidden) if incompatible else (hidden, sym)
    return Change(kind, what_of(sym), sym.name, library, attr, getattr(before, attr),
                  getattr(after, attr), incompatible=incompatible)


def _attribute_changes(a: tuple, b: tuple, owners_a: str | None, owners_b: str | None) -> list[Change]:
    sa, sb = Symbol(*a), Symbol(*b)
    pairs = [("type", sa.type, sb.type), ("binding", sa.binding, sb.binding),
             ("visibility", sa.visibility, sb.visibility), ("version", _version(sa), _version(sb))]
    if what_of(sa) == what_of(sb) == "variable":
        pairs.append(("size", str(sa.size), str(sb.size)))
    if owners_a and owners_b:
        pairs.append(("library", owners_a, owners_b))
    return [Change("changed", what_of(sa), sa.name, owners_b, attr, x, y, incompatible=_incompatible(attr, x, y))
            for attr, x, y in pairs if x != y]


def _version(sym: Symbol) -> str:
    """``'@@V'`` (default version), ``'@V'`` (hidden) or ``'none'``."""
    return sym.versioned_name[len(sym.name):] or "none"


def _incompatible(attr: str, old: str, new: str) -> bool:
    """The class of one attribute change (the table in the module docstring)."""
    if attr in ("binding", "visibility"):
        return False  # both sides are exports: global/weak/unique, default/protected
    if attr == "version":
        # unversioned -> versioned binds as before; so does a hidden version made the default
        return not (old == "none" or (new.startswith("@@") and old == "@" + new[2:]))
    if attr == "type":
        data_changed = (old in _VARIABLE_TYPES) != (new in _VARIABLE_TYPES)
        return data_changed or (old == "tls") != (new == "tls")
    if attr == "library":
        # a library that no longer defines it breaks `--with=` that library; another
        # library defining it too (a weak C++ inline) takes nothing away
        return bool(set(old.split(", ")) - set(new.split(", ")))
    return True  # size, signature


def compare_signatures(old: Side, new: Side, differing: list[str] | None = None) -> tuple[list[Change], str]:
    """Functions on both sides whose DWARF prototypes differ (sffi.dwarf.compare).

    ``differing``: :func:`_differing` of the two sides, when already known.

    Returns:
        (changes, a note saying how many functions were compared, or why none).
    Raises:
        ScanError: unreadable or corrupt debug info.
    """
    names = _functions(old, new, set(_differing(old, new) if differing is None else differing))
    if not names:
        return [], "signatures: no function on both sides to compare"
    a, missing_a = _prototypes(old, names)
    b, missing_b = _prototypes(new, names)
    changes = _prototype_changes(old, new, a, b)
    return changes, signature_note(len(a.keys() & b.keys()), len(names), missing_a + missing_b)


def signature_note(compared: int, functions: int, missing: list[str]) -> str:
    """The note on signatures: ``compared`` of ``functions`` on both sides read from DWARF;
    ``missing``: the artifacts without debug info (a file named twice is named once)."""
    if not functions:
        return "signatures: no function on both sides to compare"
    note = f"signatures: compared from DWARF for {compared} of {functions} functions on both sides"
    missing = list(dict.fromkeys(missing))  # both sides may share an artifact
    if missing:
        note += f"; no debug info (build with -g) in {', '.join(missing)}"
    return note


def _functions(old: Side, new: Side, differing: set[str]) -> list[str]:
    """The names exported as functions (:func:`what_of`) on both sides, in no set order.

    ``differing``: :func:`_differing`'s names. Any other name of ``old`` is exported by
    ``new`` with the same type, so only those are looked up on the other side.
    """
    def functions(side: Side):
        exports = side.exports
        return compress(exports, map(not_, map(_VARIABLE_TYPES.__contains__, map(itemgetter(1), exports.values()))))

    names = list(filterfalse(differing.__contains__, functions(old)))
    on_both = [n for n in differing if n in old.exports and n in new.exports]
    names += (n for n in on_both if old.exports[n][1] not in _VARIABLE_TYPES
              and new.exports[n][1] not in _VARIABLE_TYPES)
    return names


def _prototypes(side: Side, names: list[str]) -> tuple[dict, list[str]]:
    """name -> sffi.dwarf.Prototype for ``names``, read per artifact; the artifacts without DWARF."""
    by_artifact: dict[str, list[str]] = defaultdict(list)
    if len(side.artifacts) == 1 and names:
        by_artifact[side.artifacts[0]] = names
    for name in names if len(side.artifacts) > 1 else ():
        by_artifact[side.artifact(name)].append(name)
    found, missing = {}, []
    for artifact, wanted in sorted(by_artifact.items()):
        # The section table says whether there is DWARF: sffi.dwarf is loaded only then.
        if has_section(artifact, DEBUG_INFO_SECTIONS):
            from sffi import dwarf

            found.update(dwarf.read_prototypes(artifact, sorted(wanted)))
        else:
            missing.append(artifact)
    return found, missing


def _prototype_changes(old: Side, new: Side, a: dict, b: dict) -> list[Change]:
    changes = []
    for name in sorted(a.keys() & b.keys()):
        from sffi import dwarf

        mismatches = dwarf.compare(a[name], b[name])
        if not mismatches:
            continue
        old_text, new_text = a[name].c_text(), b[name].c_text()
        # Same spelling, different shape (a typedef changed): say what differs.
        reason = "; ".join(m.message for m in mismatches) if old_text == new_text else None
        changes.append(Change("changed", "function", name, new.library_of(name), "signature",
                              old_text, new_text, incompatible=True, reason=reason))
    return changes


# --------------------------------------------------------------------------- the report


def exit_status(changes: list[Change]) -> int:
    """The exit bits for the changes that are not suppressed: 12, 4 or 0 (sffi.errors)."""
    if any(c.incompatible for c in changes):
        return EXIT_INCOMPATIBLE
    return EXIT_REVIEW if changes else EXIT_OK


def apply_suppressions(changes: list[Change], specs: list) -> tuple[list[Change], list[tuple[Change, object]]]:
    """Split changes into (kept, [(suppressed change, the sffi.report.suppress.Suppression)])."""
    kept, suppressed = [], []
    for change in changes:
        spec = suppress_mod.find(specs, change)
        if spec is None:
            kept.append(change)
        else:
            suppressed.append((change, spec))
    return kept, suppressed


def diff(old_path: str | Path, new_path: str | Path, suppressions: list | None = None,
         suppression_files: list[str] | None = None, demangle: bool = False) -> Report:
    """Compare two builds and return the report.

    Args:
        old_path, new_path: two artifacts, two extern tables or two build
            directories (see :func:`sffi.report.diff_inputs.load`).
        suppressions: parsed specifications (sffi.report.suppress.load).
        suppression_files: their file names, for the notes.
        demangle: name C++ and Rust symbols demangled in the tables (the JSON
            always has both ``name`` and ``demangled``).
    Returns:
        A Report of kind ``sffi-diff`` whose ``status`` is the exit status.
    Raises:
        SffiError: as :func:`sffi.report.diff_inputs.load`; OLD and NEW of different kinds (status
            EXIT_USAGE).
    """
    from sffi.report.diff_fast import load_pair

    pair = load_pair(old_path, new_path, _VARIABLE_TYPES)
    old, new, functions = pair if pair is not None else (load(old_path), load(new_path), None)
    if old.kind != new.kind:
        raise SffiError(f"cannot compare {old.path} ({old.kind}: {old.description}) with {new.path} "
                        f"({new.kind}: {new.description}): give two of the same kind (two libraries, "
                        "two runtime binaries, two sffi_table.json files or two build directories)",
                        status=EXIT_USAGE)
    changes, notes = compare(old, new, functions)
    kept, suppressed = apply_suppressions(changes, suppressions or [])
    return _report(old, new, kept, suppressed, notes, suppression_files or [], demangle)


def _report(old: Side, new: Side, kept: list[Change], suppressed: list, notes: list[str],
            files: list[str], demangle: bool) -> Report:
    count = {k: sum(c.kind == k for c in kept) for k in ("removed", "changed", "added")}
    incompatible = sum(c.incompatible for c in kept)
    lines = [f"old: {old.path} ({old.description})", f"new: {new.path} ({new.description})",
             f"{incompatible} incompatible, {len(kept) - incompatible} worth review", *notes]
    if files:
        plural = "" if len(suppressed) == 1 else "s"
        lines.append(f"suppressions: {', '.join(files)} ({len(suppressed)} change{plural} suppressed)")
    if old.ignored or new.ignored:
        lines.append(f"Rust-mangled symbols left out (hashed names, not C ABI): "
                     f"{old.ignored} old, {new.ignored} new")
    if old.corrupt or new.corrupt:  # never hidden by an equal <corrupt> on both sides
        lines.append(f"warning: corrupt symbol version data (a version index naming no version, shown as "
                     f"<corrupt>): {old.corrupt} symbols old, {new.corrupt} new")
    shown = demangle_name if demangle else (lambda name: name)
    tables = [_change_table(title, [c for c in kept if c.kind == kind], shown)
              for title, kind in (("Removed", "removed"), ("Changed", "changed"), ("Added", "added"))]
    tables.append(_suppressed_table(suppressed, shown))
    data = {"old": {"path": old.path, "description": old.description},
            "new": {"path": new.path, "description": new.description},
            "input_kind": old.kind, "changes": [c.to_json() for c in kept],
            "suppressed": [{**c.to_json(), "suppressed_by": s.describe(), "suppression": s.location}
                           for c, s in suppressed],
            "suppression_files": files}
    return Report(kind="sffi-diff", title=f"sffi diff: {old.path} vs {new.path}",
                  summary={**count, "suppressed": len(suppressed)}, tables=tables, notes=lines,
                  status=exit_status(kept) | (EXIT_REVIEW if old.corrupt or new.corrupt else 0), data=data)


def _change_table(title: str, changes: list[Change], shown) -> Table:
    with_library = any(c.library for c in changes)
    columns = ["status", "what", "name", *(["library"] if with_library else []), "attribute", "old", "new", "effect"]
    rows = [[c.kind, c.what, shown(c.name), *([c.library or "-"] if with_library else []), c.attribute or "-",
             c.old or "-", c.new or "-", "incompatible" if c.incompatible else "review"] for c in changes]
    return Table(f"{title} ({len(changes)})", columns, rows, status_column=0)


def _suppressed_table(suppressed: list, shown) -> Table:
    with_library = any(c.library for c, _ in suppressed)
    rows = [["suppressed", c.kind, c.what, shown(c.name), *([c.library or "-"] if with_library else []), c.detail,
             s.describe()] for c, s in suppressed]
    columns = ["status", "change", "what", "name", *(["library"] if with_library else []), "detail", "suppressed by"]
    return Table(f"Suppressed ({len(suppressed)})", columns, rows, status_column=0)
