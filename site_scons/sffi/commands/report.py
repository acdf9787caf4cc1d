"""``sffi report [BUILD]``: declared, exported and table layers of one build.

BUILD is a selection directory (``build/release/sel/core+sqlite``) or a
directory holding one; ``--with``/``--mode`` name it as scons does; with
neither, the build last installed as ``build/bin/simple`` is reported. The
statuses and exit bits are sffi.report.layers's (docs/reports.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

from sffi import selection as selection_mod
from sffi.plan import kinds, layout
from sffi.commands.output import add_report_options, write_report
from sffi.errors import EXIT_USAGE, SffiError
from sffi.report import builddir, layers


def register(sub) -> None:
    """Add the ``report`` subparser."""
    p = sub.add_parser("report", help="declared / exported / table layers of one build",
                       description=__doc__.splitlines()[0])
    p.add_argument("build", nargs="?", metavar="BUILD", help="a selection directory, or a directory holding one")
    p.add_argument("--with", dest="with_libs", metavar="LIBS", help="the selection, as for scons --with")
    p.add_argument("--mode", default="release", choices=("release", "debug"), help="with --with: the build mode")
    p.add_argument("--build-root", default="build", help="where the SCons build writes (default: build)")
    p.add_argument("--ffi-libs", default="ffi_libs", help="the library directories (default: ffi_libs)")
    add_report_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    """Print or write the report; returns its exit status bits."""
    manifests = kinds.discover(args.ffi_libs)
    report = layers.build_report(_build_dir(args, manifests), manifests,
                                 progress=lambda line: print(f"sffi: {line}", file=sys.stderr, flush=True))
    write_report(report, args.format, args.output)
    return report.status


def _build_dir(args, manifests) -> Path:
    if args.build and args.with_libs:
        raise SffiError("give BUILD or --with, not both", status=EXIT_USAGE)
    if args.build:
        return Path(args.build)
    if args.with_libs:
        chosen = selection_mod.parse_with(args.with_libs, list(manifests))
        lay = layout.Layout(args.mode, root=args.build_root)
        return Path(lay.sel_dir(selection_mod.variant_name(chosen)))
    return builddir.last_built(args.build_root)
