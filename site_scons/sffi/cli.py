"""The ``sffi`` command line: ``sffi symbols|decls|check|table|report|diff|inspect ...``.

Each subcommand lives in ``sffi.commands.<name>`` and provides
``register(subparsers)``, which adds its parser and sets ``func`` to a
``run(args) -> int`` returning an exit status (sffi.errors). User errors
(SffiError) print as one ``sffi: ...`` line, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys

from sffi.version import __version__
from sffi.errors import EXIT_USAGE, SffiError

COMMANDS = ("symbols", "decls", "check", "table", "report", "diff", "inspect")


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on bad usage; abidiff's convention is 2|1 = 3."""

    def error(self, message: str):  # noqa: D102 - argparse API
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser: every subcommand registered, or only the one ``argv`` names.

    Args:
        argv: the arguments about to be parsed. When the first one is a
            subcommand, only that subcommand's module is imported and
            registered: a command does not pay for the imports of the others
            (the parse and its messages are the same). Otherwise (``--help``,
            a typo, None) all are.
    """
    parser = _Parser(prog="sffi", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"sffi {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    names = [argv[0]] if argv and argv[0] in COMMANDS else COMMANDS
    for name in names:
        importlib.import_module(f"sffi.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status.

    Args:
        argv: the arguments; None (the console script, ``python -m sffi``) reads
            ``sys.argv`` and, once the command is done and its output flushed,
            ends the process at once (:func:`_exit`).
    """
    if argv is None:
        _exit(main(sys.argv[1:]))
    # A command runs briefly and builds large acyclic structures (a row per symbol): the cyclic
    # collector's passes over them cost up to 40% of `sffi diff` on libtorch (measured), and
    # free nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(build_parser(argv).parse_args(argv))
    finally:
        if collecting:
            gc.enable()


def _exit(status: int) -> None:
    """Flush stdout and stderr and end the process without the interpreter's teardown.

    Freeing every object one by one at exit costs `sffi symbols` on libtorch_cpu.so
    about 60 ms (measured), half of what ``nm`` needs for the whole job; the
    command has finished and holds no other resources.
    """
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    sys.stderr.flush()
    os._exit(status)


def _run(args) -> int:
    try:
        return args.func(args)
    except SffiError as exc:
        print(f"sffi: {exc}", file=sys.stderr)
        return exc.status
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
