"""Output helpers shared by the subcommands: aligned tables, JSON, diagnostics."""

from __future__ import annotations

import json
import sys

from tabulate import tabulate

from sffi.errors import SffiError


def print_table(headers: list[str], rows: list[list], file=None) -> None:
    """Print ``rows`` as an aligned plain-text table (tabulate's "simple" format)."""
    print(tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True),
          file=file or sys.stdout)


def print_json(doc) -> None:
    """Print ``doc`` as stable JSON: sorted keys, 2-space indent, trailing newline."""
    sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")


def print_diagnostics(lines) -> None:
    """Print diagnostics (already formatted ``file:line:col: severity: message``) to stderr."""
    for line in lines:
        print(line, file=sys.stderr)


def add_report_options(parser) -> None:
    """``--format {text,markdown,json,html}`` (default text) and ``-o/--output FILE``: read by :func:`write_report`."""
    from sffi.report.render import FORMATS
    parser.add_argument("--format", default="text", choices=FORMATS, help="output format (default: text)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")


def write_report(report, fmt: str, output: str | None) -> None:
    """Render a sffi.report.model.Report as ``fmt`` to the file ``output``, or stdout when None.

    Raises:
        SffiError: the file cannot be written.
    """
    from sffi.report.render import render
    text = render(report, fmt)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise SffiError(f"cannot write the report to {output}: {exc.strerror}") from None
