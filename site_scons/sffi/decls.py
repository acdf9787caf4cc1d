"""Tier-2 declarations: ``extern fn NAME(param: TYPE, ...) -> TYPE`` in ``.spl`` files.

Grammar (one declaration per line, docs/abi.md)::

    decl   := 'extern' 'fn' NAME '(' [param (',' param)*] ')' ['->' TYPE] [comment]
    param  := NAME ':' TYPE
    TYPE   := 'i64' | 'i32' | 'f64' | 'bool' | 'text' | '[' ('i64'|'f64'|'text') ']'
    NAME   := [A-Za-z_][A-Za-z0-9_]*

Lines that do not start with ``extern`` are other Simple code and are skipped.
A UTF-8 BOM, CRLF line ends, tabs, blank lines and ``#`` comments (whole-line
or trailing) are accepted. Columns are 1-based and count characters.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from sffi import abi
from sffi.errors import EXIT_ERROR, EXIT_INCOMPATIBLE, SffiError

_TOKEN_RE = re.compile(r"\s*(?:(?P<word>[A-Za-z0-9_]+)|(?P<arrow>->)|(?P<punct>[()\[\]:,])|(?P<other>\S))")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TYPE_LIST = ", ".join(abi.TYPES)


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter: its name and its type spelling (a key of abi.TYPES)."""

    name: str
    type: str


@dataclasses.dataclass(frozen=True)
class Declaration:
    """One ``extern fn``: name, parameters, result spelling (None for no
    result) and where it was declared (``file``, 1-based ``line`` and ``col``)."""

    name: str
    params: tuple[Param, ...]
    result: str | None
    file: str
    line: int
    col: int

    @property
    def signature(self) -> str:
        """Canonical signature, e.g. ``"(i64, text) -> bool"`` (abi.signature_string)."""
        return abi.signature_string([p.type for p in self.params], self.result)

    @property
    def location(self) -> str:
        """``file:line:col``."""
        return f"{self.file}:{self.line}:{self.col}"

    def source(self) -> str:
        """The declaration as Simple source: ``extern fn f(a: i64) -> i64``."""
        params = ", ".join(f"{p.name}: {p.type}" for p in self.params)
        tail = f" -> {self.result}" if self.result else ""
        return f"extern fn {self.name}({params}){tail}"


@dataclasses.dataclass(frozen=True)
class Diagnostic:
    """An error or warning at ``location`` (``file:line:col``)."""

    severity: str  # "error" | "warning"
    location: str
    message: str
    incompatible: bool = False  # two declarations of one extern disagree (exit status 12)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"


class DeclarationError(SffiError):
    """One or more errors in declaration files; ``diagnostics`` lists them all
    (warnings included), ``str()`` shows every one on its own line."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity == "error"]
        incompatible = any(d.incompatible for d in errors)
        super().__init__("\n".join(str(d) for d in errors),
                         status=EXIT_INCOMPATIBLE if incompatible else EXIT_ERROR)


class _LineParser:
    """Recursive descent over the tokens of one ``extern fn`` line."""

    def __init__(self, text: str, file: str, line: int):
        self.file, self.line = file, line
        self.tokens = []  # (kind, value, col)
        for m in _TOKEN_RE.finditer(text):
            kind = m.lastgroup
            self.tokens.append((kind, m.group(kind), m.start(kind) + 1))
        self.pos = 0
        self.end_col = len(text.rstrip()) + 1

    def error(self, message: str, col: int | None = None) -> SffiError:
        return SffiError(message, f"{self.file}:{self.line}:{col or self._col()}")

    def _col(self) -> int:
        return self.tokens[self.pos][2] if self.pos < len(self.tokens) else self.end_col

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def expect(self, value: str, what: str) -> None:
        if self.peek() != value:
            found = f"'{self.peek()}'" if self.peek() is not None else "end of line"
            raise self.error(f"expected '{value}' {what}, found {found}")
        self.pos += 1

    def name(self, what: str) -> tuple[str, int]:
        col = self._col()
        if self.pos >= len(self.tokens) or self.tokens[self.pos][0] != "word":
            found = f"'{self.peek()}'" if self.peek() is not None else "end of line"
            raise self.error(f"expected {what}, found {found}")
        value = self.tokens[self.pos][1]
        if not _NAME_RE.match(value):
            noun = what.split(" ", 1)[1]  # "an element type" -> "element type"
            raise self.error(f"bad {noun} '{value}': a name starts with a letter or '_' "
                             "and holds only letters, digits and '_'", col)
        self.pos += 1
        return value, col

    def type(self) -> str:
        col = self._col()
        if self.peek() == "[":
            self.pos += 1
            inner, _ = self.name("an element type")
            self.expect("]", "to close the array type")
            spelling = f"[{inner}]"
        else:
            spelling, _ = self.name("a type")
        if spelling not in abi.TYPES:
            raise self.error(f"unknown type '{spelling}' (expected one of {_TYPE_LIST})", col)
        return spelling

    def declaration(self) -> Declaration:
        self.expect("extern", "")
        self.expect("fn", "after 'extern'")
        name, name_col = self.name("an extern function name")
        self.expect("(", f"after '{name}'")
        params: list[Param] = []
        while self.peek() != ")":
            if params:
                self.expect(",", "between parameters")
            pname, pcol = self.name("a parameter name")
            if any(p.name == pname for p in params):
                raise self.error(f"parameter '{pname}' appears twice", pcol)
            self.expect(":", f"after parameter '{pname}'")
            params.append(Param(pname, self.type()))
        self.pos += 1
        if len(params) > abi.MAX_PARAMS:
            raise self.error(f"'{name}' has {len(params)} parameters; the ABI allows at most {abi.MAX_PARAMS}",
                             name_col)
        result = None
        if self.peek() == "->":
            self.pos += 1
            result = self.type()
        if self.peek() is not None:
            raise self.error(f"unexpected '{self.peek()}' after the declaration")
        return Declaration(name, tuple(params), result, self.file, self.line, 1)


def _strip_comment(line: str) -> str:
    # No declaration token contains '#', so everything from it on is a comment.
    cut = line.find("#")
    return line if cut < 0 else line[:cut]


def parse_text(text: str, file: str) -> tuple[list[Declaration], list[Diagnostic]]:
    """Parse the declarations of one file's text.

    Args:
        text: the file's contents (a leading BOM and CRLF line ends are accepted).
        file: the name used in locations.

    Returns:
        (declarations in file order, diagnostics): every malformed
        ``extern`` line is an error diagnostic; parsing goes on after one.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    decls, diags = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        code = _strip_comment(raw)
        stripped = code.lstrip()
        if not re.match(r"extern\b", stripped):
            continue
        indent = len(code) - len(stripped)
        parser = _LineParser(code, file, number)
        try:
            decl = parser.declaration()
        except SffiError as exc:
            diags.append(Diagnostic("error", exc.location, exc.message))
            continue
        decls.append(dataclasses.replace(decl, col=indent + 1))
    return decls, diags


def display_path(path: str | Path) -> str:
    """``path`` relative to the working directory when it lies below it, else as given.

    Locations in messages and generated files use this, so they read
    ``ffi_libs/sqlite/sqlite.spl:12:1`` and do not change between checkouts.
    """
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_file(path: str | Path) -> str:
    """The text of a declaration file; raises SffiError if unreadable or not UTF-8."""
    try:
        return Path(path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SffiError(f"declaration file {path} does not exist") from None
    except OSError as exc:
        raise SffiError(f"cannot read declaration file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise SffiError(f"not UTF-8 (byte {exc.start})", str(path)) from None


def merge(decls: list[Declaration]) -> tuple[dict[str, Declaration], list[Diagnostic]]:
    """Merge declarations from several places by name.

    The same extern declared twice with the same signature is a warning (real
    declaration files contain exact duplicates); with a different signature
    it is an error that shows both places.

    Returns:
        (name -> first declaration, sorted by name; diagnostics).
    """
    by_name: dict[str, Declaration] = {}
    diags: list[Diagnostic] = []
    for decl in decls:
        first = by_name.get(decl.name)
        if first is None:
            by_name[decl.name] = decl
        elif first.signature == decl.signature:
            diags.append(Diagnostic("warning", decl.location,
                                    f"duplicate declaration of '{decl.name}' (same signature as at {first.location})"))
        else:
            diags.append(Diagnostic("error", decl.location,
                                    f"conflicting declaration of '{decl.name}': {decl.signature} here, "
                                    f"{first.signature} at {first.location}", incompatible=True))
    return dict(sorted(by_name.items())), diags


def parse_files(paths) -> tuple[dict[str, Declaration], list[Diagnostic]]:
    """Parse and merge declaration files.

    Args:
        paths: iterable of ``.spl`` paths (str or Path).

    Returns:
        (name -> Declaration sorted by name, warnings).

    Raises:
        SffiError: a file is missing, unreadable or not UTF-8.
        DeclarationError: any declaration is malformed or conflicts; it
            carries every diagnostic found, warnings included.
    """
    all_decls, diags = [], []
    for path in paths:
        found, file_diags = parse_text(read_file(path), display_path(path))
        all_decls.extend(found)
        diags.extend(file_diags)
    merged, merge_diags = merge(all_decls)
    diags.extend(merge_diags)
    if any(d.severity == "error" for d in diags):
        raise DeclarationError(diags)
    return merged, diags
