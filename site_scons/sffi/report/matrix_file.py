"""The matrix file (``matrix.toml``): its dataclasses and :func:`load`, which reads and validates it.

Format of the file: docs/matrix.md.

* :func:`load` reads and validates a matrix file into a :class:`MatrixFile`
  (its :class:`Selection` rows and :class:`Smoke` scripts).

Only the standard library is imported (the CI plan job runs
``python -m sffi.report.matrix``, which loads the file, without installing anything).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from sffi import selection as selection_mod
from sffi.errors import EXIT_USAGE, SffiError
from sffi.manifest import read_toml

DEFAULT_TIMEOUT_S = 120.0
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+=-]*$")


@dataclasses.dataclass(frozen=True)
class Selection:
    """One row of the matrix.

    Attributes:
        name: how reports, ``--matrix-only`` and CI jobs call it.
        with_: the ``--with`` value as written in the file (``"none"``, ``"all"``, ``"sqlite,torch"``).
        libraries: the libraries it links in, sorted, ``core`` included.
        modules: the libraries it loads as modules (``modules = "all"`` resolved), sorted;
            empty for a selection without modules (docs/matrix.md, "Module selections").
    """

    name: str
    with_: str
    libraries: tuple[str, ...]
    modules: tuple[str, ...] = ()

    @property
    def variant_name(self) -> str:
        """Its runtime's directory name under ``build/<variant>/sel/`` (``core+sqlite``)."""
        return selection_mod.variant_name(list(self.libraries))

    @property
    def default_name(self) -> str:
        """Its name when the file gives none: ``core+sqlite``, ``core+modules=sqlite+torch``."""
        mods = f"+modules={'+'.join(self.modules)}" if self.modules else ""
        return self.variant_name + mods

    @property
    def usable(self) -> tuple[str, ...]:
        """Every library its scripts can use: linked in or as a module, sorted."""
        return tuple(sorted(set(self.libraries) | set(self.modules)))


@dataclasses.dataclass(frozen=True)
class Smoke:
    """A script that every runtime containing ``needs`` runs; it passes when the
    runtime exits 0 and, with ``expected``, prints exactly that file's text.

    Attributes:
        name: unique in the file; names its result and its output directory.
        script: path relative to the project root.
        args: arguments after the script; ``{out}`` becomes the smoke's output directory.
        needs: the libraries it uses (empty: every runtime runs it).
        expected: path (relative to the project root) of the expected stdout, or None.
        timeout_s: seconds before the run counts as failed.
    """

    name: str
    script: str
    args: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    expected: str | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S


@dataclasses.dataclass(frozen=True)
class MatrixFile:
    """A validated matrix file.

    Attributes:
        path: the file (absolute).
        selections: in file order.
        optional: the libraries whose absence only skips the selections that need them.
        smokes: in file order.
    """

    path: Path
    selections: tuple[Selection, ...]
    optional: frozenset[str]
    smokes: tuple[Smoke, ...]

    def smokes_for(self, libraries) -> list[Smoke]:
        """The smokes a runtime with these libraries (linked in or as modules: Selection.usable)
        runs (every one whose ``needs`` it contains)."""
        have = set(libraries)
        return [s for s in self.smokes if set(s.needs) <= have]

    def only(self, names: str) -> list[Selection]:
        """The selections named by ``--matrix-only=NAME[,NAME...]``, in file order; every one with ``""``.

        Raises:
            SffiError: a name the file does not define (the known names are listed).
        """
        if not names.strip():
            return list(self.selections)
        wanted = [n.strip() for n in names.split(",")]
        known = [s.name for s in self.selections]
        bad = [n for n in wanted if n not in known]
        if bad:
            raise SffiError(f"--matrix-only: no selection {', '.join(repr(b) for b in bad)} in {self.path}; "
                            f"its selections: {', '.join(known)}", status=EXIT_USAGE)
        return [s for s in self.selections if s.name in wanted]


def load(path: str | Path, known: list[str], root: str | Path) -> MatrixFile:
    """Read and validate a matrix file.

    Args:
        path: the TOML file.
        known: every library under ffi_libs/ (names for ``with``, ``needs`` and ``[library.*]``).
        root: the project root, against which smoke scripts and expected files are resolved.

    Returns:
        The validated MatrixFile.

    Raises:
        SffiError: the file is missing, unreadable or not TOML; a key is unknown,
            missing or of the wrong type; a library is unknown; a script or
            expected file does not exist; two selections or smokes share a name,
            or two selections select the same libraries. The message names the
            file and the key.
    """
    path = Path(path).resolve()
    data = read_toml(path, "the matrix file",
                     f"no matrix file: {path} does not exist (scons matrix --matrix=FILE names another)")
    _keys(path, data, "", ("selection", "library", "smoke"))
    return MatrixFile(path=path, selections=_selections(path, data, known),
                      optional=_optional(path, data, known), smokes=_smokes(path, data, known, Path(root)))


def _fail(path: Path, key: str, expected: str, got=None) -> SffiError:
    got_text = "" if got is None else f", got {got!r}"
    return SffiError(f"key '{key}': expected {expected}{got_text}", str(path))


def _keys(path: Path, table: dict, prefix: str, allowed: tuple[str, ...]) -> None:
    for key in table:
        if key not in allowed:
            raise SffiError(f"unknown key '{prefix}{key}' (known keys: {', '.join(allowed)})", str(path))


def _tables(path: Path, data: dict, key: str, required: bool) -> list[dict]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _fail(path, key, f"an array of tables ([[{key}]])", value)
    if required and not value:
        raise _fail(path, key, f"at least one [[{key}]] table")
    return value


def _string(path: Path, table: dict, key: str, where: str, required: bool = True) -> str | None:
    if key not in table:
        if required:
            raise _fail(path, f"{where}.{key}", "a string (the key is missing)")
        return None
    value = table[key]
    if not isinstance(value, str) or not value:
        raise _fail(path, f"{where}.{key}", "a non-empty string", value)
    return value


def _strings(path: Path, table: dict, key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, f"{where}.{key}", "a list of strings", value)
    return tuple(value)


def _name(path: Path, key: str, value: str) -> str:
    if not _NAME_RE.match(value):
        raise _fail(path, key, "a name of letters, digits and _ . + = - (it names a CI job and a directory)", value)
    return value


def _selections(path: Path, data: dict, known: list[str]) -> tuple[Selection, ...]:
    result: list[Selection] = []
    for i, table in enumerate(_tables(path, data, "selection", required=True)):
        where = f"selection[{i}]"
        _keys(path, table, f"{where}.", ("name", "with", "modules"))
        with_ = _string(path, table, "with", where)
        try:
            libraries = tuple(selection_mod.parse_with(with_, known))
        except SffiError as exc:
            raise SffiError(f"key '{where}.with': {exc.message.removeprefix('--with: ')}", str(path)) from None
        modules = _string(path, table, "modules", where, required=False) or "none"
        try:
            mods = tuple(selection_mod.parse_modules(modules, known, list(libraries)))
        except SffiError as exc:
            raise SffiError(f"key '{where}.modules': {exc.message.removeprefix('--modules: ')}",
                            str(path)) from None
        unnamed = Selection("", with_, libraries, mods)
        name = _string(path, table, "name", where, required=False) or unnamed.default_name
        sel = dataclasses.replace(unnamed, name=_name(path, f"{where}.name", name))
        for other in result:
            if other.name == sel.name:
                raise SffiError(f"key '{where}.name': selection name '{sel.name}' is used twice; "
                                "give one of them another 'name'", str(path))
            if (other.libraries, other.modules) == (sel.libraries, sel.modules):
                raise SffiError(f"key '{where}.with': selects the same libraries ({sel.default_name}) as "
                                f"selection '{other.name}'; drop one of them", str(path))
        result.append(sel)
    return tuple(result)


def _optional(path: Path, data: dict, known: list[str]) -> frozenset[str]:
    libraries = data.get("library", {})
    if not isinstance(libraries, dict):
        raise _fail(path, "library", "a table of [library.<name>] tables", libraries)
    optional = set()
    for name, table in libraries.items():
        where = f"library.{name}"
        if name not in known:
            raise SffiError(f"key '{where}': unknown library '{name}'; known libraries: {', '.join(known)}",
                            str(path))
        if not isinstance(table, dict):
            raise _fail(path, where, "a table", table)
        _keys(path, table, f"{where}.", ("optional",))
        value = table.get("optional", False)
        if not isinstance(value, bool):
            raise _fail(path, f"{where}.optional", "true or false", value)
        if value:
            optional.add(name)
    if selection_mod.CORE in optional:
        raise _fail(path, f"library.{selection_mod.CORE}.optional", "false: every runtime contains core")
    return frozenset(optional)


def _smokes(path: Path, data: dict, known: list[str], root: Path) -> tuple[Smoke, ...]:
    result: list[Smoke] = []
    for i, table in enumerate(_tables(path, data, "smoke", required=False)):
        smoke = _smoke(path, table, f"smoke[{i}]", known, root)
        if any(s.name == smoke.name for s in result):
            raise SffiError(f"key 'smoke[{i}].name': smoke name '{smoke.name}' is used twice; "
                            "give one of them another 'name'", str(path))
        result.append(smoke)
    return tuple(result)


def _smoke(path: Path, table: dict, where: str, known: list[str], root: Path) -> Smoke:
    _keys(path, table, f"{where}.", ("name", "script", "args", "needs", "expected", "timeout"))
    script = _existing(path, table, "script", where, root)
    if "needs" not in table:
        raise _fail(path, f"{where}.needs", "a list of the libraries the script uses ([] for core alone; "
                    "the key is missing)")
    needs = _strings(path, table, "needs", where)
    bad = [n for n in needs if n not in known]
    if bad:
        raise SffiError(f"key '{where}.needs': unknown library {', '.join(repr(b) for b in bad)}; "
                        f"known libraries: {', '.join(known)}", str(path))
    timeout = table.get("timeout", DEFAULT_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise _fail(path, f"{where}.timeout", "a number of seconds > 0", timeout)
    name = _string(path, table, "name", where, required=False) or Path(script).stem
    return Smoke(name=_name(path, f"{where}.name", name), script=script, args=_strings(path, table, "args", where),
                 needs=tuple(sorted(set(needs))), expected=_existing(path, table, "expected", where, root, False),
                 timeout_s=float(timeout))


def _existing(path: Path, table: dict, key: str, where: str, root: Path, required: bool = True) -> str | None:
    rel = _string(path, table, key, where, required)
    if rel is None:
        return None
    if Path(rel).is_absolute() or not (root / rel).is_file():
        raise _fail(path, f"{where}.{key}", f"a file path relative to the project root {root}", rel)
    return rel
