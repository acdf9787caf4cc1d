"""What every benchmark prints beside its figures: the machine's load (a shared machine's
figures mean little without it; docs/benchmarks.md)."""

from __future__ import annotations

import os


def load_line(when: str = "") -> str:
    """``load average (1/5/15 min) 1.20 0.80 0.50 on 2 cpus`` (``when``: ``before``, ``after``)."""
    one, five, fifteen = os.getloadavg()
    label = f"load average {when} " if when else "load average "
    return f"{label}(1/5/15 min): {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cpus"
