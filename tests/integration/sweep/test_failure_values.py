"""The misuse sweep's judge for externs whose contract returns failures as values
(recipes.toml ``[LIB.failure]``, e.g. Simple's sqlite names: docs/sqlite.md).

Such a call must return; given a bad handle it must print exactly its failure value; a
script error is a failure, and a crash stays a crash. The runtime is a shell script
standing in for one, so each verdict is reached on a known outcome.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import misuse  # noqa: E402

from sffi.decls import parse_text  # noqa: E402

# Prints each `print "sweep-value ...: {CALL}"` line of the script with VALUE in place of the call.
PRINT_VALUES = r"""sed -n 's/^print "\(sweep-value [^{]*\){.*/\1'"$VALUE"'/p' "$1" """


def _library() -> misuse.Library:
    decls, _ = parse_text("extern fn rt_demo_close(h: i64) -> i64\nextern fn rt_demo_free(h: i64)\n", "demo.spl")
    recipe = {"kinds": {"thing": {"make": "rt_demo_close(1)", "free": "rt_demo_free", "params": ["h"]}},
              "failure": {"rt_demo_close": "0", "rt_demo_free": ""}}
    return misuse.Library("demo", {d.name: d for d in decls}, recipe, {"rt_demo_close", "rt_demo_free"})


def _runtime(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "fake-simple"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def _outcome(tmp_path: Path, extern: str, what: str, body: str) -> misuse.Outcome:
    lib = _library()
    call = next(c for c in misuse.Generator(lib).calls(lib.decls[extern]) if c.what == what)
    return misuse.Runner(_runtime(tmp_path, body), lib.decls).run([call])[0]


def test_a_bad_handle_call_prints_its_value():
    lib = _library()
    calls = {c.what: c for c in misuse.Generator(lib).calls(lib.decls["rt_demo_close"])}
    assert calls["h=0"].line == 'print "sweep-value rt_demo_close h=0: {rt_demo_close(0)}"'
    assert (calls["h=0"].soft, calls["h=0"].expect) == (True, "0")
    assert calls["baseline"].line.startswith("rt_demo_close(") and calls["baseline"].expect is None
    # Without a result there is nothing to print: the call only has to return.
    freed = next(c for c in misuse.Generator(lib).calls(lib.decls["rt_demo_free"]) if c.what == "h=-1")
    assert (freed.line, freed.soft, freed.expect) == ("rt_demo_free(-1)", True, None)


@pytest.mark.parametrize("body, verdict", [
    (f"VALUE=0; {PRINT_VALUES}", "returned"),
    (f"VALUE=7; {PRINT_VALUES}", "returned '7', not the failure value '0'"),
    ("exit 0", "returned nothing, not the failure value '0'"),
    ("echo \"sweep.spl:$(wc -l < \"$1\"):1: error: rt_demo_close failed\" >&2; exit 1",
     "a script error where the contract returns a failure value"),
    ("kill -SEGV $$", "crash (signal 11)"),
])
def test_judge_wants_the_failure_value(tmp_path, body, verdict):
    assert _outcome(tmp_path, "rt_demo_close", "h=0", body).kind == verdict


def test_judge_wants_a_void_soft_extern_to_return(tmp_path):
    assert _outcome(tmp_path, "rt_demo_free", "h=-1", "exit 0").kind == "returned"
    error = "echo \"sweep.spl:$(wc -l < \"$1\"):1: error: rt_demo_free failed\" >&2; exit 1"
    assert _outcome(tmp_path, "rt_demo_free", "h=-1", error).kind == \
        "a script error where the contract returns a failure value"
