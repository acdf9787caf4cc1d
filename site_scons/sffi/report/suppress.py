"""Suppression files for ``sffi diff``, after libabigail's suppression specifications.

The format follows libabigail's "Suppression specifications"
(https://sourceware.org/libabigail/manual/libabigail-concepts.html), the files
``abidiff --suppressions`` reads, restricted to what a symbol-level diff can
honour::

    # accepted in release 2.1: the old entry point is gone
    [suppress_function]
      label = drop-old-entry
      name = rt_demo_old
      change_kind = deleted-function

    [suppress_variable]
      name_regexp = ^debug_
      change_kind = all

Sections: ``[suppress_function]`` (functions, and the externs of extern
tables) and ``[suppress_variable]``; each may repeat. Properties:

* ``name`` (exact), ``name_regexp``, ``name_not_regexp``; libabigail's
  ``symbol_name``, ``symbol_name_regexp``, ``symbol_name_not_regexp`` are
  accepted as synonyms, since sffi compares symbols by their ELF names. At
  least one of them is required (libabigail silently ignores a section that
  names nothing; here it is an error).
* ``change_kind``: libabigail's ``added-function``, ``deleted-function``,
  ``function-subtype-change`` (``added-variable``, ``deleted-variable``,
  ``variable-subtype-change`` in ``[suppress_variable]``) or ``all`` (the
  default). sffi adds one kind per changed attribute, narrower than the
  sub-type kinds: ``signature-change``, ``binding-change``,
  ``visibility-change``, ``version-change``, ``type-change``, ``size-change``
  and ``library-change``. Several kinds may be given, separated by commas.
* ``label``: how the report names the specification (default: its section
  and ``file:line``).

Regular expressions are Python's ``re`` syntax and are searched, not anchored,
as libabigail's ``regexec`` does: write ``^name$`` to match a whole name.
Lines starting with ``#`` or ``;`` are comments; values may be wrapped in
double quotes. libabigail's other sections and properties (types, files,
parameters, ...) are refused with an error rather than ignored, since
ignoring a condition would silence more than the file says.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from pathlib import Path

from sffi.errors import SffiError

#: Section -> the ``what`` of the changes it covers (sffi.report.diff.Change.what).
SECTIONS = {"suppress_function": ("function", "extern"), "suppress_variable": ("variable",)}
#: libabigail sections that name types or files, which a symbol diff cannot match.
UNSUPPORTED_SECTIONS = ("suppress_type", "suppress_file")
#: Properties that select by name, and the one each libabigail synonym stands for.
NAME_PROPERTIES = {"name": "name", "name_regexp": "name_regexp", "name_not_regexp": "name_not_regexp",
                   "symbol_name": "name", "symbol_name_regexp": "name_regexp",
                   "symbol_name_not_regexp": "name_not_regexp"}
PROPERTIES = (*NAME_PROPERTIES, "change_kind", "label")
#: libabigail properties that need type, file or version facts this diff does not use.
UNSUPPORTED_PROPERTIES = ("parameter", "return_type_name", "return_type_regexp", "type_name",
                          "type_name_regexp", "file_name_regexp", "file_name_not_regexp",
                          "soname_regexp", "soname_not_regexp", "symbol_version",
                          "symbol_version_regexp", "allow_other_aliases", "drop", "type_kind",
                          "has_data_member", "has_size_change")
#: sffi's change kinds, one per attribute a "changed" entry names (sffi.report.diff).
ATTRIBUTE_KINDS = {f"{attr}-change": attr for attr in
                   ("signature", "binding", "visibility", "version", "type", "size", "library")}
#: The libabigail change kinds of each section: (added, deleted, sub-type change).
LIBABIGAIL_KINDS = {"suppress_function": ("added-function", "deleted-function", "function-subtype-change"),
                    "suppress_variable": ("added-variable", "deleted-variable", "variable-subtype-change")}


@dataclasses.dataclass(frozen=True)
class Suppression:
    """One ``[suppress_function]`` or ``[suppress_variable]`` section.

    Attributes:
        section: ``"suppress_function"`` or ``"suppress_variable"``.
        location: ``file:line`` of the section's header.
        label: the ``label`` property, or None.
        name: the exact name to match, or None.
        name_regexp: a compiled pattern the name must contain a match of, or None.
        name_not_regexp: a compiled pattern the name must not contain a match of, or None.
        change_kinds: the ``change_kind`` values (``{"all"}`` when absent).
    """

    section: str
    location: str
    label: str | None = None
    name: str | None = None
    name_regexp: re.Pattern | None = None
    name_not_regexp: re.Pattern | None = None
    change_kinds: frozenset[str] = frozenset({"all"})

    def describe(self) -> str:
        """How a report names this specification: its label, else ``[section] at file:line``."""
        return self.label or f"[{self.section}] at {self.location}"

    def matches(self, change) -> bool:
        """Whether this specification silences ``change`` (a sffi.report.diff.Change).

        The change must be of a ``what`` the section covers, of one of the
        change kinds listed, and its name must pass every name property given.
        """
        if change.what not in SECTIONS[self.section]:
            return False
        if "all" not in self.change_kinds and not (self.change_kinds & change_kinds_of(change, self.section)):
            return False
        return self._name_matches(change.name)

    def _name_matches(self, name: str) -> bool:
        if self.name is not None and name != self.name:
            return False
        if self.name_regexp is not None and not self.name_regexp.search(name):
            return False
        return self.name_not_regexp is None or not self.name_not_regexp.search(name)


def change_kinds_of(change, section: str) -> set[str]:
    """The change kinds a change answers to in ``section``.

    Args:
        change: a sffi.report.diff.Change (``kind`` added/removed/changed,
            ``attribute`` for changed ones).
        section: ``"suppress_function"`` or ``"suppress_variable"``.
    Returns:
        e.g. ``{"deleted-function"}`` for a removal, ``{"function-subtype-change",
        "signature-change"}`` for a changed signature.
    """
    added, deleted, subtype = LIBABIGAIL_KINDS[section]
    if change.kind == "added":
        return {added}
    if change.kind == "removed":
        return {deleted}
    return {subtype, f"{change.attribute}-change"}


def find(suppressions: list[Suppression], change) -> Suppression | None:
    """The first specification that silences ``change``, or None."""
    return next((s for s in suppressions if s.matches(change)), None)


def load(paths: list[str | Path]) -> list[Suppression]:
    """Parse suppression files, in order.

    Raises:
        SffiError: a file cannot be read, or a syntax error (see :func:`parse`).
    """
    found: list[Suppression] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise SffiError(f"cannot read the suppression file: {reason}", location=str(path)) from None
        found += parse(text, str(path))
    return found


def parse(text: str, filename: str) -> list[Suppression]:
    """Parse the text of one suppression file.

    Args:
        text: the file's content.
        filename: how errors name the file.
    Returns:
        One :class:`Suppression` per section, in file order.
    Raises:
        SffiError: located ``file:line``, saying what to write instead: an
            unknown or unsupported section or property, a property outside a
            section or given twice, a line that is neither, an empty value, a
            bad regular expression or change kind, a section that names nothing.
    """
    sections: list[tuple[str, int, dict[str, tuple[str, int]]]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        where = f"{filename}:{lineno}"
        if line.startswith("["):
            sections.append((_section_name(line, where), lineno, {}))
            continue
        key, value = _property(line, where)
        if not sections:
            raise SffiError(f"property '{key}' outside a section: put it under [suppress_function] "
                            "or [suppress_variable]", location=where)
        section, _, props = sections[-1]
        _check_key(key, section, props, where)
        props[key] = (value, lineno)
    return [_build(section, filename, lineno, props) for section, lineno, props in sections]


def _section_name(line: str, where: str) -> str:
    if not line.endswith("]"):
        raise SffiError(f"unterminated section header {line!r}: write [suppress_function] or "
                        "[suppress_variable]", location=where)
    name = line[1:-1].strip()
    if name in SECTIONS:
        return name
    if name in UNSUPPORTED_SECTIONS:
        raise SffiError(f"section [{name}] is not supported: sffi diff compares symbols, not types "
                        "or files; use [suppress_function] or [suppress_variable]", location=where)
    raise SffiError(f"unknown section [{name}]{_did_you_mean(name, SECTIONS)}: use [suppress_function] "
                    "or [suppress_variable]", location=where)


def _property(line: str, where: str) -> tuple[str, str]:
    key, eq, value = line.partition("=")
    key, value = key.strip(), value.strip()
    if not eq or not key:
        raise SffiError(f"expected 'property = value', a [section] or a comment, not {line!r}",
                        location=where)
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value:
        raise SffiError(f"property '{key}' has no value: write '{key} = VALUE' or remove the line",
                        location=where)
    return key, value


def _check_key(key: str, section: str, props: dict, where: str) -> None:
    if key in UNSUPPORTED_PROPERTIES:
        raise SffiError(f"property '{key}' of libabigail is not supported by sffi diff, which compares "
                        "ELF symbols and extern tables by name; remove it (the section would "
                        "otherwise suppress more than it says)", location=where)
    if key not in PROPERTIES:
        raise SffiError(f"unknown property '{key}' in [{section}]{_did_you_mean(key, PROPERTIES)}: "
                        f"use one of {', '.join(PROPERTIES)}", location=where)
    if key in props:
        raise SffiError(f"property '{key}' given twice in this section (first at line {props[key][1]}): "
                        "keep one, or start another section", location=where)
    canonical = NAME_PROPERTIES.get(key)
    clash = [k for k in props if canonical and k != key and NAME_PROPERTIES.get(k) == canonical]
    if clash:
        raise SffiError(f"property '{key}' repeats '{clash[0]}' (line {props[clash[0]][1]}), "
                        "its synonym here: keep one", location=where)


def _build(section: str, filename: str, lineno: int, props: dict[str, tuple[str, int]]) -> Suppression:
    names = {NAME_PROPERTIES[k]: (v, line, k) for k, (v, line) in props.items() if k in NAME_PROPERTIES}
    if not names:
        raise SffiError(f"[{section}] names nothing: add name, name_regexp or name_not_regexp "
                        "(a section without one would be ignored by abidiff)", location=f"{filename}:{lineno}")
    label = props.get("label", (None, 0))[0]
    return Suppression(
        section=section, location=f"{filename}:{lineno}", label=label,
        name=names["name"][0] if "name" in names else None,
        name_regexp=_regexp(names.get("name_regexp"), filename),
        name_not_regexp=_regexp(names.get("name_not_regexp"), filename),
        change_kinds=_change_kinds(section, props.get("change_kind"), filename))


def _regexp(found: tuple[str, int, str] | None, filename: str) -> re.Pattern | None:
    if found is None:
        return None
    value, lineno, key = found
    try:
        return re.compile(value)
    except re.error as exc:
        raise SffiError(f"bad regular expression in {key}: {exc.msg} at position {exc.pos} of {value!r} "
                        "(Python re syntax; escape special characters with \\)",
                        location=f"{filename}:{lineno}") from None


def _change_kinds(section: str, found: tuple[str, int] | None, filename: str) -> frozenset[str]:
    if found is None:
        return frozenset({"all"})
    value, lineno = found
    valid = ("all", *LIBABIGAIL_KINDS[section], *ATTRIBUTE_KINDS)
    kinds = [k.strip() for k in value.split(",")]
    for kind in kinds:
        if kind in valid:
            continue
        other = next((s for s, ks in LIBABIGAIL_KINDS.items() if kind in ks and s != section), None)
        hint = f"; '{kind}' belongs in [{other}]" if other else _did_you_mean(kind, valid)
        raise SffiError(f"unknown change_kind '{kind}' in [{section}]{hint}: use one of {', '.join(valid)}",
                        location=f"{filename}:{lineno}")
    return frozenset(kinds)


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
