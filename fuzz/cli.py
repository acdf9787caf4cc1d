"""``scripts/fuzz``: a fuzzing campaign over sffi's targets (docs/reliability.md).

    scripts/fuzz [--time=SECONDS] [--jobs=N] [--work=DIR] [--no-trace-cmp] [TARGET[=SECONDS]...]

Runs each target (default: all) for its time, ``--jobs`` at once, keeping the
corpus in ``DIR/corpus/TARGET`` (default DIR: build/fuzz/campaign) so a
later campaign starts where this one stopped. Prints a table (executions,
coverage, corpus, artifacts) and writes it to ``DIR/report.md`` and
``DIR/report.json``. Exit status 1 when any target wrote a crash, timeout or
out-of-memory input (their paths are in the table), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import dataclasses
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tabulate import tabulate

from fuzz import campaign, native

HEADERS = ["target", "seconds", "executions", "exec/s", "cov", "ft", "corpus", "peak RSS MB", "artifacts"]


def _parse_targets(items: list[str], default_time: int, parser) -> list[tuple[str, int]]:
    chosen = []
    for item in items or campaign.TARGETS:
        name, _, secs = item.partition("=")
        if name not in campaign.TARGETS:
            parser.error(f"unknown target {name!r}; targets: {', '.join(campaign.TARGETS)}")
        if secs and not secs.isdigit():
            parser.error(f"{item}: the time must be whole seconds")
        chosen.append((name, int(secs) if secs else default_time))
    return chosen


def _row(r: campaign.Result) -> list:
    return [r.target, r.seconds, r.execs, r.execs // max(r.seconds, 1), r.cov, r.ft, r.corpus,
            r.peak_rss_mb, "\n".join(r.artifacts) or ("none" if r.status == 0 else f"exit {r.status}")]


def main(argv: list[str] | None = None) -> int:
    """Run the campaign; returns the exit status."""
    parser = argparse.ArgumentParser(prog="scripts/fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", metavar="TARGET[=SECONDS]",
                        help=f"targets to run (default: all): {', '.join(campaign.TARGETS)}")
    parser.add_argument("--time", type=int, default=120, metavar="SECONDS", help="time per target (default 120)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="targets fuzzed at once (default 1)")
    parser.add_argument("--work", type=Path, default=campaign.ROOT / "build" / "fuzz" / "campaign",
                        metavar="DIR", help="corpus, logs, artifacts and report (default build/fuzz/campaign)")
    parser.add_argument("--no-trace-cmp", action="store_true",
                        help="build the native targets without comparison tracing (build/fuzz/native-no-trace-cmp/): "
                             "2.5x the executions of runtime_deep, fewer comparisons solved")
    args = parser.parse_args(argv)
    if args.no_trace_cmp:  # read by fuzz.native at import: set it, then load it afresh
        os.environ["SFFI_FUZZ_TRACE_CMP"] = "0"
        importlib.reload(native)
    chosen = _parse_targets(args.targets, args.time, parser)
    try:
        native.build([t for t, _ in chosen if t in campaign.NATIVE] or ["runtime_lex"])
    except native.BuildError as exc:
        print(f"scripts/fuzz: {exc}", file=sys.stderr)
        return 1
    print(f"fuzzing {len(chosen)} target(s), {sum(s for _, s in chosen)} s of fuzzing, {args.jobs} at once",
          flush=True)

    def one(item):
        result = campaign.run(item[0], item[1], args.work)
        print(f"  {result.target}: {result.execs} executions, cov {result.cov}, "
              f"{len(result.artifacts)} artifact(s)", flush=True)
        return result

    with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        results = list(pool.map(one, chosen))
    table = [_row(r) for r in results]
    print(tabulate(table, HEADERS))
    (args.work / "report.md").write_text(tabulate(table, HEADERS, tablefmt="github") + "\n")
    (args.work / "report.json").write_text(json.dumps([dataclasses.asdict(r) for r in results], indent=2) + "\n")
    print(f"report: {args.work / 'report.md'}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
