"""``sffi diff OLD NEW``: externs and exported symbols added, removed and changed between two builds.

OLD and NEW are two artifacts (``.a``/``.so``/``.o``, or two runtime binaries),
two extern tables (``sffi_table.json``) or two build directories, both of the
same kind. ``--suppressions FILE`` (repeatable, as abidiff's) silences accepted
changes; the report still counts them. What is read, what is compared, each
change's class and the suppression format: sffi.report.diff_inputs,
sffi.report.diff, sffi.report.suppress, docs/reports.md.

Exit status (after abidiff): 0 no change, 4 only additions or benign changes,
12 a removal or an incompatible change, 1 an error (unreadable input, bad
suppression file), 3 bad usage (OLD and NEW of different kinds).
"""

from __future__ import annotations

from sffi.commands.output import add_report_options, write_report
from sffi.report import diff as diff_mod
from sffi.report import suppress


def register(sub) -> None:
    """Add the ``diff`` subparser."""
    p = sub.add_parser("diff", help="what changed between two builds (symbols and externs)",
                       description=__doc__.splitlines()[0])
    p.add_argument("old", metavar="OLD", help="artifact, sffi_table.json or build directory")
    p.add_argument("new", metavar="NEW", help="the same kind of input as OLD")
    p.add_argument("--suppressions", action="append", default=[], metavar="FILE",
                   help="a suppression file (libabigail's format, docs/reports.md); repeatable")
    p.add_argument("--demangle", action="store_true",
                   help="show C++ and Rust symbol names demangled in the tables (JSON always has both)")
    add_report_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    """Compare OLD and NEW, write the report; returns its exit status bits.

    Raises:
        SffiError: unreadable inputs or suppression files, inputs of different
            kinds (the command line prints it as one line).
    """
    specs = suppress.load(args.suppressions)
    report = diff_mod.diff(args.old, args.new, specs, args.suppressions, demangle=args.demangle)
    write_report(report, args.format, args.output)
    return report.status
