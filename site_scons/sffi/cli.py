"""The ``sffi`` command line: ``sffi symbols|decls|check|table|report|diff|inspect ...``.

Each subcommand lives in ``sffi.commands.<name>`` and provides
``register(subparsers)``, which adds its parser and sets ``func`` to a
``run(args) -> int`` returning an exit status (sffi.errors). User errors
(SffiError) print as one ``sffi: ...`` line, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from sffi import __version__
from sffi.errors import EXIT_USAGE, SffiError

COMMANDS = ("symbols", "decls", "check", "table", "report", "diff", "inspect")


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on bad usage; abidiff's convention is 2|1 = 3."""

    def error(self, message: str):  # noqa: D102 - argparse API
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every subcommand registered."""
    parser = _Parser(prog="sffi", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"sffi {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f"sffi.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SffiError as exc:
        print(f"sffi: {exc}", file=sys.stderr)
        return exc.status
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
