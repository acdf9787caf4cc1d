"""The sweep's sandbox for core's destructive externs (issue 26; sandbox.py), and the sweep of core.

Kept apart from test_misuse.py: these tests are about where the destructive
externs may act (relative paths in a scratch directory, an empty PATH), and
about core's own sweep on the core-only runtime.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).parent))
import misuse  # noqa: E402
import sandbox  # noqa: E402

DESTRUCTIVE = ("remove", "delete", "move", "copy", "write", "append", "create", "kill", "shell", "exec",
               "spawn", "run", "lock", "sync", "open", "output")


def test_every_benign_text_of_a_destructive_core_extern_is_a_relative_path(simple_runtime):
    lib = misuse.libraries(simple_runtime, ["core"])[0]
    checked = 0
    for decl in lib.decls.values():
        if not any(word in decl.name for word in DESTRUCTIVE):
            continue
        for p in decl.params:
            if p.type == "text":
                value = lib.text.get(p.name, "x")
                assert not PurePosixPath(value).is_absolute() and ".." not in PurePosixPath(value).parts, \
                    f"{decl.name}({p.name}) gets {value!r} in the sweep: it must stay in the scratch directory"
                checked += 1
    assert checked > 40


def test_the_fake_path_finds_no_program(simple_runtime, tmp_path):
    env = {**os.environ, **sandbox.env_for("core")}
    assert os.listdir(env["PATH"]) == [] and os.path.isdir(env["HOME"]) and os.path.isdir(env["TMPDIR"])
    (tmp_path / "t.spl").write_text('extern fn rt_shell(cmd: text) -> i64\n'
                                    'extern fn rt_process_spawn(cmd: text, args: [text]) -> i64\n'
                                    'print rt_shell("ls")\nprint rt_process_spawn("ls", [])\n')
    proc = subprocess.run([str(simple_runtime), "t.spl"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.stdout == "127\n-1\n", proc.stderr


def test_no_sandbox_for_libraries_without_one():
    assert sandbox.env_for("sqlite") == {}


def test_sweep_of_core(simple_runtime, capsys):
    """Every core extern, each hostile value of each parameter, in the sandbox: no crash, no hang."""
    report = misuse.sweep(simple_runtime, ["core"])
    with capsys.disabled():
        print("\n" + report.summary(simple_runtime, ["core"]))
    assert not report.failures, "\n\n".join(misuse.describe(f) for f in report.failures[:20])
    assert not report.uncovered and not report.skipped
    table = [e for e in misuse.table_externs(simple_runtime) if e["library"] == "core"]
    assert report.externs == len(table) > 100 and report.errors > 0
