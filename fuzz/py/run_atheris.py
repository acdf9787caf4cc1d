"""Run one Python fuzz target under atheris: ``python -m fuzz.py.run_atheris TARGET [libFuzzer args]``.

The libFuzzer arguments (corpus directories, ``-max_total_time``, ``-runs`` ...)
are atheris's; fuzz/campaign.py passes them. The modules the target lists
(fuzz/py/targets.py: TARGETS), and what they import first, are instrumented for
coverage.
"""

from __future__ import annotations

import importlib
import sys

import atheris


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        sys.exit("usage: python -m fuzz.py.run_atheris TARGET [LIBFUZZER ARGS...]")
    target = argv[1]
    from fuzz.py import targets
    if target not in targets.TARGETS:
        sys.exit(f"unknown target {target!r}; targets: {', '.join(targets.TARGETS)}")
    with atheris.instrument_imports():  # modules first imported here get coverage feedback
        for module in targets.TARGETS[target][1]:
            importlib.import_module(module)
    atheris.Setup([argv[0], *argv[2:]], lambda data: targets.one_input(target, data))
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
