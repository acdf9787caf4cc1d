"""The format-neutral report every sffi report is built as (rendered by sffi.report.render).

A report is a summary (counts per status, shown first, as in the header of
libabigail's ``abidiff``), then tables whose rows carry a status, then notes.
The JSON rendering adds the report's own ``data`` (its documented schema,
docs/reports.md) so machines never parse the tables.
"""

from __future__ import annotations

import dataclasses

#: How a status is shown (colour in HTML, a marker in text): statuses not listed
#: here are "info". Producers use these words so every report reads alike.
SEVERITY = {
    # good
    "ok": "good", "match": "good", "verified": "good", "passed": "good", "built": "good",
    "unchanged": "good",
    # worth a look
    "added": "warn", "undeclared": "warn", "stale": "warn", "unverified": "warn",
    "suppressed": "warn", "skipped": "warn", "optional": "warn", "not-in-table": "warn",
    # broken or incompatible
    "removed": "bad", "changed": "bad", "missing": "bad", "mismatch": "bad", "failed": "bad",
    "not-built": "bad", "clash": "bad",
}


def severity(status: str) -> str:
    """``'good'``, ``'warn'``, ``'bad'`` or ``'info'`` for a status word (see :data:`SEVERITY`)."""
    return SEVERITY.get(status, "info")


@dataclasses.dataclass
class Table:
    """One table of a report.

    Attributes:
        title: a heading, e.g. ``"library sqlite"``.
        columns: column headings, e.g. ``["extern", "signature", "status"]``.
        rows: one list of cell strings per row, ``len(columns)`` each.
        status_column: the index of the column whose word colours the row
            (:func:`severity`), or None for a table without status.
    """

    title: str
    columns: list[str]
    rows: list[list[str]]
    status_column: int | None = None


@dataclasses.dataclass
class Report:
    """A complete report, ready to render.

    Attributes:
        kind: ``"sffi-report"``, ``"sffi-diff"`` or ``"sffi-matrix"``; the JSON
            rendering says ``"format": "<kind>/1"``.
        title: one line, e.g. ``"sffi diff: build/old vs build/new"``.
        summary: status -> count, in the order to show (zero counts included
            where they reassure, e.g. ``{"removed": 0}``).
        tables: the detail, in order.
        notes: lines shown after the summary (inputs, suppressed counts, hints).
        status: the exit status bits (sffi.errors, after abidiff).
        data: the kind's JSON payload (docs/reports.md); merged into the JSON
            rendering beside ``format``, ``title``, ``summary`` and ``status``.
    """

    kind: str
    title: str
    summary: dict[str, int]
    tables: list[Table] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    status: int = 0
    data: dict = dataclasses.field(default_factory=dict)
