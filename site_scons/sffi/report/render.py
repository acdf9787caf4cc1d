"""Renderings of a :class:`sffi.report.model.Report`: text, Markdown, JSON, HTML.

* ``text``: aligned columns for a terminal (tabulate's "simple" format);
* ``markdown``: GitHub-flavoured pipe tables, for pull-request comments;
* ``json``: ``{"format": "<kind>/1", "title", "summary", "status", "notes", ...data}``
  with sorted keys (schemas in docs/reports.md);
* ``html``: one self-contained page (inline CSS and script, nothing fetched):
  tables sort by a click on a heading, rows are coloured by status.

Every rendering is deterministic: the same report gives the same bytes.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from sffi.plan import layout
from sffi.errors import EXIT_USAGE, SffiError
from sffi.report.model import Report, Table, severity

FORMATS = ("text", "markdown", "json", "html")
#: The file extension of each format, for reports written under build/.
EXTENSIONS = dict(zip(FORMATS, layout.REPORT_EXTENSIONS))


def render(report: Report, fmt: str) -> str:
    """The report in one format.

    Args:
        report: the report.
        fmt: one of :data:`FORMATS`.
    Returns:
        The document as text, ending with a newline.
    Raises:
        SffiError: an unknown format (status EXIT_USAGE).
    """
    renderers = {"text": _text, "markdown": _markdown, "json": _json, "html": _html}
    if fmt not in renderers:
        raise SffiError(f"unknown report format '{fmt}': choose one of {', '.join(FORMATS)}",
                        status=EXIT_USAGE)
    return renderers[fmt](report)


def report_paths(out_dir: str | Path, stem: str = "report") -> list[Path]:
    """``out_dir/<stem>.{txt,md,json,html}``: where :func:`write_all` writes, in :data:`FORMATS` order."""
    return layout.report_paths(out_dir, stem)


def write_all(report: Report, out_dir: str | Path, stem: str = "report") -> list[Path]:
    """Write the report in every format into ``out_dir`` (created); returns :func:`report_paths`.

    Raises:
        OSError: a file cannot be written.
    """
    paths = report_paths(out_dir, stem)
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    for fmt, path in zip(FORMATS, paths):
        path.write_text(render(report, fmt), encoding="utf-8")
    return paths


def summary_line(report: Report) -> str:
    """``"3 added, 1 removed, 0 changed"``: the summary counts in their order."""
    return ", ".join(f"{count} {status}" for status, count in report.summary.items()) or "nothing to report"


def _text(report: Report) -> str:
    parts = [report.title, "=" * len(report.title), f"summary: {summary_line(report)}"]
    parts += report.notes
    for table in report.tables:
        parts += ["", table.title, _tabulate(table, "simple") if table.rows else "(none)"]
    return "\n".join(parts) + "\n"


def _markdown(report: Report) -> str:
    parts = [f"## {_md_escape(report.title)}", "", f"**Summary:** {summary_line(report)}"]
    if report.notes:
        parts += [""] + [f"- {_md_escape(n)}" for n in report.notes]
    for table in report.tables:
        parts += ["", f"### {_md_escape(table.title)}", ""]
        escaped = Table(table.title, table.columns, [[_md_escape(c) for c in row] for row in table.rows])
        parts.append(_tabulate(escaped, "github") if table.rows else "_(none)_")
    return "\n".join(parts) + "\n"


def _json(report: Report) -> str:
    doc = {"format": f"{report.kind}/1", "title": report.title, "summary": report.summary,
           "status": report.status, "notes": report.notes, **report.data}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _tabulate(table: Table, fmt: str) -> str:
    # Imported here: tabulate imports importlib.metadata (~15 ms), which a report without a
    # table row (an empty diff) does not need.
    from tabulate import tabulate

    return tabulate(table.rows, headers=table.columns, tablefmt=fmt, disable_numparse=True)


def _md_escape(text: str) -> str:
    # a pipe ends a table cell; a leading/trailing space is kept by GitHub
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1f2328}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f6f8fa;cursor:pointer;user-select:none}th:after{content:" \\2195";color:#8c959f}
td{font-family:ui-monospace,monospace;font-size:13px}
tr.good td.status{background:#dafbe1}tr.warn td.status{background:#fff8c5}
tr.bad td.status{background:#ffebe9;font-weight:bold}
.summary span{display:inline-block;margin-right:1em;padding:.1em .5em;border-radius:4px}
.summary .good{background:#dafbe1}.summary .warn{background:#fff8c5}.summary .bad{background:#ffebe9}
.summary .info{background:#ddf4ff}
"""

# Sort a table by the clicked column: numeric when every cell parses as a number.
_JS = """
document.querySelectorAll("th").forEach(function(th){th.addEventListener("click",function(){
var table=th.closest("table"),body=table.tBodies[0],i=th.cellIndex,rows=Array.from(body.rows);
var asc=th.dataset.dir!=="asc";th.dataset.dir=asc?"asc":"desc";
var num=rows.every(function(r){return r.cells[i].textContent.trim()!==""&&!isNaN(r.cells[i].textContent)});
rows.sort(function(a,b){var x=a.cells[i].textContent,y=b.cells[i].textContent;
var c=num?Number(x)-Number(y):x.localeCompare(y);return asc?c:-c;});
rows.forEach(function(r){body.appendChild(r);});});});
"""


def _html(report: Report) -> str:
    e = html.escape
    counts = "".join(f'<span class="{severity(s)}">{e(s)}: {n}</span>' for s, n in report.summary.items())
    body = [f"<h1>{e(report.title)}</h1>", f'<p class="summary">{counts}</p>']
    body += [f"<p>{e(n)}</p>" for n in report.notes]
    for table in report.tables:
        body += [f"<h2>{e(table.title)}</h2>", _html_table(table)]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{e(report.title)}</title><style>{_CSS}</style></head>\n<body>\n"
            + "\n".join(body) + f"\n<script>{_JS}</script>\n</body></html>\n")


def _html_table(table: Table) -> str:
    e = html.escape
    if not table.rows:
        return "<p><em>(none)</em></p>"
    head = "".join(f"<th>{e(c)}</th>" for c in table.columns)
    rows = []
    for row in table.rows:
        sev = severity(row[table.status_column]) if table.status_column is not None else "info"
        cells = "".join(f'<td class="status">{e(c)}</td>' if i == table.status_column else f"<td>{e(c)}</td>"
                        for i, c in enumerate(row))
        rows.append(f'<tr class="{sev}">{cells}</tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"
