"""Tier-2 declarations: ``[pub] extern fn NAME(param: TYPE, ...) -> RESULT`` in ``.spl`` files.

Grammar (docs/abi.md, "Declarations")::

    decl   := ['pub'] 'extern' 'fn' NAME '(' [param (',' param)* [',']] ')' ['->' RESULT]
    param  := NAME ':' TYPE
    TYPE   := SCALAR | 'text' | '[' (SCALAR | 'text') ']'
    RESULT := TYPE ['?'] | TUPLE | '[' TUPLE ']' ['?']
    TUPLE  := '(' TYPE ['?'] (',' TYPE ['?'])* ')'                      (1 to 8 elements)
    SCALAR := 'i8' | 'i16' | 'i32' | 'i64' | 'u8' | 'u16' | 'u32' | 'u64' | 'f32' | 'f64' | 'bool'
    NAME   := [A-Za-z_][A-Za-z0-9_]*

The types are sffi.abi's. A declaration may span several lines: it goes on
while a parenthesis or bracket is open. Lines just above it that start with
``@`` or ``#[`` are its attribute lines (``@unsafe("...")``,
``#[runtime_intrinsics]``), kept in :attr:`Declaration.attributes`. Lines
that do not start a declaration are other Simple code and are skipped.

A UTF-8 BOM, CRLF line ends, tabs, blank lines and ``#`` comments (whole-line
or trailing) are accepted; spaces and tabs are the only separators (a no-break
space is an error, as in the runtime). Columns are 1-based and count
characters. A malformed declaration is an error and the others still count;
every error of a declaration is reported, not only the first.
"""

from __future__ import annotations

import dataclasses
import re
import typing
import unicodedata
from pathlib import Path

from sffi import abi
from sffi.errors import EXIT_ERROR, EXIT_INCOMPATIBLE, EXIT_OK, EXIT_REVIEW, SffiError

_TOKEN_RE = re.compile(r"[ \t]*(?:(?P<word>[A-Za-z0-9_]+)|(?P<arrow>->)|(?P<punct>[()\[\]:,?])|(?P<other>[^ \t]))")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_START_RE = re.compile(r"[ \t]*(?:pub[ \t]+)?extern\b")
_TYPE_LIST = "a scalar (" + " ".join(abi.SCALARS) + "), text, or [T] of one of them"
_TUPLE_ARRAY_PARAM = "an array of tuples '[(T1, ..., Tn)]' is allowed only as a result"
_OPEN, _CLOSE = "([", ")]"


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter: its name and its type spelling (a key of abi.TYPES)."""

    name: str
    type: str


@dataclasses.dataclass(frozen=True)
class Declaration:
    """One ``extern fn``: name, parameters, result spelling (None for no
    result; ``"text?"``, ``"(text, i64)"`` as sffi.abi spells them), where it
    was declared (``file``, 1-based ``line`` and ``col`` of its first token),
    whether it is ``pub``, and its attribute lines (stripped, in order)."""

    name: str
    params: tuple[Param, ...]
    result: str | None
    file: str
    line: int
    col: int
    pub: bool = False
    attributes: tuple[str, ...] = ()

    @property
    def signature(self) -> str:
        """Canonical signature, e.g. ``"(i64, text) -> bool"`` (abi.signature_string)."""
        return abi.signature_string([p.type for p in self.params], self.result)

    @property
    def location(self) -> str:
        """``file:line:col``."""
        return f"{self.file}:{self.line}:{self.col}"

    def source(self) -> str:
        """The declaration as Simple source, on one line: ``pub extern fn f(a: i64) -> i64``."""
        params = ", ".join(f"{p.name}: {p.type}" for p in self.params)
        tail = f" -> {self.result}" if self.result else ""
        return f"{'pub ' if self.pub else ''}extern fn {self.name}({params}){tail}"


@dataclasses.dataclass(frozen=True)
class Diagnostic:
    """An error or warning at ``location`` (``file:line:col``).

    ``incompatible``: two declarations of one extern disagree (exit bits 8|4);
    ``review``: a warning worth review (parameter names reordered, exit bit 4).
    """

    severity: str  # "error" | "warning" | "note" (a note changes no exit bit)
    location: str
    message: str
    incompatible: bool = False
    review: bool = False

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"


def exit_status(diagnostics: list[Diagnostic]) -> int:
    """The exit bits for ``diagnostics`` (sffi.errors): 1 for a malformed
    declaration or unreadable file, 8|4 for a conflict, 4 for any warning;
    notes add nothing."""
    status = EXIT_OK
    for d in diagnostics:
        if d.severity == "note":
            continue
        if d.incompatible:
            status |= EXIT_INCOMPATIBLE
        elif d.severity == "error":
            status |= EXIT_ERROR
        else:
            status |= EXIT_REVIEW
    return status


class DeclarationError(SffiError):
    """One or more errors in declaration files; ``diagnostics`` lists them all
    (warnings included), ``declarations`` the valid ones (name -> Declaration),
    ``str()`` shows every error on its own line, ``status`` is :func:`exit_status`."""

    def __init__(self, diagnostics: list[Diagnostic], declarations: dict | None = None):
        self.diagnostics = diagnostics
        self.declarations = declarations or {}
        errors = [d for d in diagnostics if d.severity == "error"]
        super().__init__("\n".join(str(d) for d in errors), status=exit_status(diagnostics))


def describe_char(ch: str) -> str:
    """A character fit for a message: ``'$'``, or ``U+00A0 (NO-BREAK SPACE)`` when not printable ASCII."""
    if " " < ch < "\x7f":
        return f"'{ch}'"
    shown = f"U+{ord(ch):04X} ({unicodedata.name(ch, 'control character')})"
    return shown + (" (only spaces and tabs separate tokens)" if unicodedata.category(ch) == "Zs" else "")


class _Tok(typing.NamedTuple):
    kind: str   # word | arrow | punct | other | end
    value: str
    line: int
    col: int

    def shown(self) -> str:
        if self.kind == "end":
            return "end of line"
        return describe_char(self.value) if self.kind == "other" else f"'{self.value}'"


class _Stop(Exception):
    """The rest of this declaration cannot be parsed."""


class _DeclParser:
    """Recursive descent over the tokens of one declaration, collecting every error."""

    def __init__(self, tokens: list[_Tok], end: _Tok, file: str):
        self.tokens, self.file, self.pos = tokens + [end], file, 0  # the end token is never passed
        self.errors: list[Diagnostic] = []

    def error(self, message: str, tok: _Tok) -> None:
        self.errors.append(Diagnostic("error", f"{self.file}:{tok.line}:{tok.col}", message))

    def cur(self) -> _Tok:
        return self.tokens[self.pos]

    def accept(self, value: str) -> bool:
        tok = self.tokens[self.pos]
        if tok.value == value and tok.kind != "other" and tok.kind != "end":
            self.pos += 1
            return True
        return False

    def expect(self, value: str, what: str) -> None:
        if not self.accept(value):
            self.error(f"expected '{value}'{' ' + what if what else ''}, found {self.cur().shown()}", self.cur())
            raise _Stop

    def name(self, what: str) -> str:
        tok = self.cur()
        if tok.kind != "word":
            self.error(f"expected {what}, found {tok.shown()}", tok)
            raise _Stop
        self.pos += 1
        if not _NAME_RE.match(tok.value):
            noun = what.split(" ", 1)[1]  # "a parameter name" -> "parameter name"
            self.error(f"bad {noun} '{tok.value}': a name starts with a letter or '_' "
                       "and holds only letters, digits and '_'", tok)
        return tok.value

    def base_type(self) -> str | None:
        start = self.cur()
        if start.value == "[" and self.tokens[self.pos + 1].value == "(":
            self.error(_TUPLE_ARRAY_PARAM, start)
            raise _Stop
        if self.accept("["):
            inner = self.name("an element type")
            self.expect("]", "to close the array type")
            spelling = f"[{inner}]"
        else:
            spelling = self.name("a type")
        if spelling not in abi.TYPES:
            self.error(f"unknown type '{spelling}' (expected {_TYPE_LIST})", start)
            return None
        return spelling

    def item(self, result: bool) -> str | None:
        spelling = self.base_type()
        if self.cur().value == "?" and self.cur().kind == "punct":
            if not result:
                self.error("an optional type 'T?' is allowed only as a result", self.cur())
            self.pos += 1
            return spelling and spelling + "?"
        return spelling

    def result(self) -> str | None:
        if self.cur().value == "[" and self.tokens[self.pos + 1].value == "(":
            return self.tuple_array()
        if self.cur().value != "(":
            return self.item(result=True)
        return self.tuple()

    def tuple(self) -> str | None:
        """``(T1, ..., Tn)`` at the current '('."""
        start = self.cur()
        self.expect("(", "")
        items: list[str | None] = []
        while not self.accept(")"):
            if items:
                self.expect(",", "between tuple elements")
            if self.cur().value in ("(", "["):
                if self.cur().value == "(" or self.tokens[self.pos + 1].value == "(":
                    self.error("a tuple element cannot be a tuple or an array of tuples", self.cur())
                    raise _Stop
            items.append(self.item(result=True))
        if not 1 <= len(items) <= abi.MAX_TUPLE:
            self.error(f"a tuple result has 1 to {abi.MAX_TUPLE} elements, not {len(items)}", start)
            return None
        if None in items:
            return None
        return "(" + ", ".join(items) + ")"

    def tuple_array(self) -> str | None:
        """``[(T1, ..., Tn)]`` or ``[(T1, ..., Tn)]?`` at the current '[' (an array of tuples)."""
        self.expect("[", "")
        inner = self.tuple()
        self.expect("]", "to close the array of tuples")
        optional = self.cur().value == "?" and self.cur().kind == "punct"
        self.pos += optional
        return inner and f"[{inner}]" + ("?" if optional else "")

    def skip_param(self) -> None:
        """Recovery: skip to the ',' or ')' that ends a malformed parameter."""
        depth = 0
        while self.cur().kind != "end":
            value = self.cur().value
            if depth == 0 and value in ",)":
                return
            depth = max(0, depth + (value == "[") - (value == "]"))
            self.pos += 1

    def params(self) -> list[Param]:
        """The parameters up to ')'; a malformed one is reported and skipped."""
        params, seen, first = [], set(), True
        while not self.accept(")"):
            if not first:
                self.expect(",", "between parameters")
                if self.accept(")"):  # a trailing comma
                    break
            first, errors = False, len(self.errors)
            try:
                tok = self.cur()
                pname = self.name("a parameter name")
                self.expect(":", f"after parameter '{pname}'")
                ptype = self.item(result=False)
                if pname in seen:  # a set: 40,000 parameters stay linear (issue 17)
                    self.error(f"parameter '{pname}' appears twice", tok)
                seen.add(pname)
                if len(self.errors) == errors:
                    params.append(Param(pname, ptype))
            except _Stop:
                self.skip_param()
        return params

    def declaration(self) -> Declaration | None:
        first = self.cur()
        pub = self.accept("pub")
        try:
            self.expect("extern", "")
            self.expect("fn", "after 'extern'")
            name_tok = self.cur()
            name = self.name("an extern function name")
            self.expect("(", f"after '{name}'")
            params = self.params()
            if len(params) > abi.MAX_PARAMS:
                self.error(f"'{name}' has {len(params)} parameters; the ABI allows at most {abi.MAX_PARAMS}",
                           name_tok)
            result = None
            if self.accept("->"):
                result = self.result()
            if self.cur().kind != "end":
                self.error(f"unexpected {self.cur().shown()} after the declaration", self.cur())
        except _Stop:
            return None
        if self.errors:
            return None
        return Declaration(name, tuple(params), result, self.file, first.line, first.col, pub)


def _strip_comment(line: str) -> str:
    # No declaration token contains '#', so everything from it on is a comment.
    cut = line.find("#")
    return line if cut < 0 else line[:cut]


def _tokens(code: str, line: int) -> list[_Tok]:
    return [_Tok(m.lastgroup, m.group(m.lastgroup), line, m.start(m.lastgroup) + 1)
            for m in _TOKEN_RE.finditer(code)]


def _depth(tokens: list[_Tok]) -> int:
    return sum((t.value in _OPEN) - (t.value in _CLOSE) for t in tokens if t.kind == "punct")


def _gather(lines: list[str], start: int) -> tuple[list[_Tok], int]:
    """The tokens of the declaration starting at lines[start], over as many
    lines as its open parentheses need; returns (tokens, index after it)."""
    tokens = _tokens(_strip_comment(lines[start]), start + 1)
    depth, i = _depth(tokens), start + 1
    while depth > 0 and i < len(lines) and not _START_RE.match(lines[i]):
        more = _tokens(_strip_comment(lines[i]), i + 1)
        tokens += more
        depth += _depth(more)
        i += 1
    return tokens, i


def _attribute(line: str) -> str | None:
    stripped = line.strip()
    return stripped if stripped.startswith(("@", "#[")) else None


def _strip_boms(text: str, file: str) -> tuple[str, list[Diagnostic]]:
    if not text.startswith("\ufeff"):
        return text, []
    text = text[1:]
    if not text.startswith("\ufeff"):
        return text, []
    return text.lstrip("\ufeff"), [Diagnostic(
        "error", f"{file}:1:1", "the file starts with more than one byte-order mark (U+FEFF): "
        "save it as UTF-8 with one BOM or none")]


def parse_text(text: str, file: str) -> tuple[list[Declaration], list[Diagnostic]]:
    """Parse the declarations of one file's text.

    Args:
        text: the file's contents (a leading BOM and CRLF line ends are accepted).
        file: the name used in locations.

    Returns:
        (valid declarations in file order, diagnostics): every error of every
        malformed declaration, each at its ``file:line:col``; the valid
        declarations are returned all the same.
    """
    text, diags = _strip_boms(text, file)
    lines = text.splitlines()
    decls, attrs, i = [], [], 0
    while i < len(lines):
        if not _START_RE.match(lines[i]):
            attr = _attribute(lines[i])
            attrs = attrs + [attr] if attr else ([] if lines[i].strip() else attrs)
            i += 1
            continue
        tokens, after = _gather(lines, i)
        end_line = after  # 1-based number of the declaration's last line
        end_col = len(_strip_comment(lines[after - 1]).rstrip()) + 1
        parser = _DeclParser(tokens, _Tok("end", "", end_line, end_col), file)
        decl = parser.declaration()
        diags += parser.errors
        if decl:
            decls.append(dataclasses.replace(decl, attributes=tuple(attrs)))
        attrs, i = [], after
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


def _optionality_note(decl: Declaration, first: Declaration, binding: str) -> Diagnostic:
    """A note: ``decl`` binds to ``first`` though their results differ in optionality."""
    how = ("safe: that result is never nil where this one allows it" if binding == "widened" else
           "a nil result is an error at run time naming this declaration")
    return Diagnostic("note", decl.location,
                      f"'{decl.name}' declared -> {decl.result} here binds to -> {first.result} at "
                      f"{first.location} (only optionality differs; {how})")


def _duplicate(decl: Declaration, first: Declaration) -> Diagnostic:
    names, first_names = [p.name for p in decl.params], [p.name for p in first.params]
    same_params = [p.type for p in decl.params] == [p.type for p in first.params]
    binding = abi.optionality_binding(decl.result, first.result) if same_params else None
    if binding not in (None, "exact"):
        return _optionality_note(decl, first, binding)
    if first.signature != decl.signature:
        return Diagnostic("error", decl.location,
                          f"conflicting declaration of '{decl.name}': {decl.signature} here, "
                          f"{first.signature} at {first.location}", incompatible=True)
    if names != first_names and sorted(names) == sorted(first_names):
        return Diagnostic("warning", decl.location,
                          f"'{decl.name}' declared again with its parameters in another order: "
                          f"({', '.join(names)}) here, ({', '.join(first_names)}) at {first.location}; "
                          "the types agree, so a caller of either passes arguments in the wrong places",
                          review=True)
    return Diagnostic("warning", decl.location,
                      f"duplicate declaration of '{decl.name}' (same signature as at {first.location})")


def merge(decls: list[Declaration]) -> tuple[dict[str, Declaration], list[Diagnostic]]:
    """Merge declarations from several places by name.

    The same extern declared twice with the same signature is a warning (real
    declaration files contain exact duplicates), one worth review when the
    parameter names are the same but in another order; a result that differs
    only in optionality (``-> text`` and ``-> text?``) is a note, the later
    declaration binding to the first as a script's binds to the table
    (sffi.abi.optionality_binding); any other difference in signature is an
    incompatibility (error) that shows both places.

    Returns:
        (name -> first declaration, sorted by name; diagnostics).
    """
    by_name: dict[str, Declaration] = {}
    diags: list[Diagnostic] = []
    for decl in decls:
        first = by_name.get(decl.name)
        if first is None:
            by_name[decl.name] = decl
        else:
            diags.append(_duplicate(decl, first))
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
            carries every diagnostic found, warnings included, and the valid
            declarations.
    """
    all_decls, diags = [], []
    for path in paths:
        found, file_diags = parse_text(read_file(path), display_path(path))
        all_decls.extend(found)
        diags.extend(file_diags)
    merged, merge_diags = merge(all_decls)
    diags.extend(merge_diags)
    if any(d.severity == "error" for d in diags):
        raise DeclarationError(diags, merged)
    return merged, diags
