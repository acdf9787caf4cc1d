"""The check: Tier-2 declarations against Tier-1 exports (DESIGN.md, "The generated table").

For one library: declared ∩ exported; declared but not exported is an error
naming the declaration's file:line; exported with the library's prefix but not
declared is a warning. Across a selection: the same symbol defined (strong,
``GLOBAL``) by two libraries is an error, since a static link would fail or,
worse, silently pick one. Weak definitions (C++ inline functions and template
instances) are merged by the linker and do not clash.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sffi import decls as decls_mod
from sffi.plan import kinds
from sffi.errors import EXIT_INCOMPATIBLE, EXIT_OK, EXIT_REVIEW
from sffi.manifest import Manifest
from sffi.symbols import Symbol, exports, scan




@dataclasses.dataclass
class LibraryCheck:
    """The result of checking one library.

    Attributes:
        manifest: the library's manifest.
        declarations: name -> Declaration, sorted by name.
        exported: name -> Symbol for every exported symbol of the artifacts.
        matched: declarations that are exported, by name.
        missing: declarations that are not exported (errors).
        undeclared: exports with the library's prefix that no declaration names (warnings).
        warnings: declaration-file warnings (duplicates).
        notes: declaration-file notes (declarations that differ only in optionality); no exit bit.
    """

    manifest: Manifest
    declarations: dict
    exported: dict[str, Symbol]
    matched: list = dataclasses.field(default_factory=list)
    missing: list = dataclasses.field(default_factory=list)
    undeclared: list[Symbol] = dataclasses.field(default_factory=list)
    warnings: list = dataclasses.field(default_factory=list)
    notes: list = dataclasses.field(default_factory=list)

    @property
    def status(self) -> int:
        """Exit status bits (sffi.errors): 12 when an extern is missing, 4 for warnings, else 0."""
        if self.missing:
            return EXIT_INCOMPATIBLE
        return EXIT_REVIEW if (self.undeclared or self.warnings) else EXIT_OK

    def messages(self) -> list[str]:
        """Errors, warnings, then notes, one line each, in the toolkit's format."""
        lib = self.manifest.name
        lines = [f"{d.location}: error: extern '{d.name}' is declared for library '{lib}' "
                 f"but no artifact of '{lib}' exports it (declared as: {d.source()}); "
                 f"{kinds.of(self.manifest).define_hint.format(name=d.name)}, or remove the declaration"
                 for d in self.missing]
        lines += [str(w) for w in self.warnings]
        lines += [str(n) for n in self.notes]
        lines += [f"{self.manifest.path}: warning: '{s.name}' is exported by library '{lib}' "
                  f"(member {s.member or '-'}) with prefix '{self.manifest.prefix}' but not declared"
                  for s in self.undeclared]
        return lines


@dataclasses.dataclass(frozen=True)
class Clash:
    """A symbol defined strongly by more than one library: (library, artifact, member) each."""

    symbol: str
    definitions: tuple[tuple[str, str, str | None], ...]

    def message(self) -> str:
        where = "; ".join(f"library '{lib}' ({art}{f'({m})' if m else ''})" for lib, art, m in self.definitions)
        return (f"error: symbol '{self.symbol}' is defined by more than one library: {where}; "
                "rename it in one of them (a static link would fail or pick one silently)")


def check_library(manifest: Manifest, artifacts: list[str | Path], parsed: tuple | None = None) -> LibraryCheck:
    """Check one library's declarations against what its built artifacts export.

    Args:
        manifest: the library's manifest (its declaration files are parsed).
        artifacts: built ``.o``/``.a``/``.so``/``.rlib`` files of the library.
        parsed: ``(declarations by name, warnings)`` already parsed from the
            manifest's declaration files (sffi.decls.parse_files), or None to parse them.

    Returns:
        The LibraryCheck; it raises nothing for a missing extern (see ``missing``).

    Raises:
        SffiError: a declaration file is malformed (DeclarationError) or an
            artifact cannot be read (ScanError).
    """
    declared, warnings = parsed if parsed is not None else decls_mod.parse_files(manifest.declarations)
    exported: dict[str, Symbol] = {}
    for artifact in artifacts:
        for sym in exports(scan(artifact)):
            exported.setdefault(sym.name, sym)
    return compare(manifest, declared, warnings, exported)


def compare(manifest: Manifest, declared: dict, warnings: list, exported: dict[str, Symbol]) -> LibraryCheck:
    """The LibraryCheck of declarations (name -> Declaration) against exports (name -> Symbol),
    as scanned now or as a build recorded them (sffi.plan.records)."""
    notes = [w for w in warnings if getattr(w, "severity", "") == "note"]
    result = LibraryCheck(manifest, declared, exported, warnings=[w for w in warnings if w not in notes], notes=notes)
    for name, decl in declared.items():
        (result.matched if name in exported else result.missing).append(decl)
    result.undeclared = [s for n, s in sorted(exported.items())
                         if n.startswith(manifest.prefix) and n not in declared]
    return result


def find_clashes(checks: list[LibraryCheck], artifacts: dict[str, list[str]]) -> list[Clash]:
    """Symbols defined with GLOBAL binding by two or more of the checked libraries.

    Args:
        checks: one LibraryCheck per selected library.
        artifacts: library name -> its artifact paths (for the message).
    """
    return clashes_among({
        c.manifest.name: (", ".join(str(a) for a in artifacts.get(c.manifest.name, [])),
                          {n: s.member for n, s in c.exported.items() if s.binding == "global"})
        for c in checks})


def clashes_among(strong: dict[str, tuple[str, dict[str, str | None]]]) -> list[Clash]:
    """Clashes from each library's strong definitions.

    Args:
        strong: library -> (artifact text, {symbol: defining member or None})
            for its GLOBAL defined symbols (weak ones never clash).

    Returns:
        One Clash per symbol defined by two or more libraries, sorted by symbol.
    """
    owners: dict[str, list[tuple[str, str, str | None]]] = {}
    for lib, (artifact, symbols) in sorted(strong.items()):
        for name, member in symbols.items():
            owners.setdefault(name, []).append((lib, artifact, member))
    return [Clash(name, tuple(defs)) for name, defs in sorted(owners.items()) if len(defs) > 1]
