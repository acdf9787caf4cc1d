"""Output helpers shared by the subcommands: aligned tables, JSON, diagnostics."""

from __future__ import annotations

import json
import sys

from tabulate import tabulate


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
