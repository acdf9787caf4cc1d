"""Module graphs of hostile shape: a use chain past the loader's depth bound is a load error
(not a C stack overflow), one module used by hundreds of others loads and runs once, and one file
reached through a symlinked directory is one module."""

from __future__ import annotations

import subprocess
from pathlib import Path


def run(runtime: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(runtime), "main.spl"], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_use_chain_deeper_than_the_bound_is_a_load_error(runtime, tmp_path):
    n = 2100
    for i in range(n):
        (tmp_path / f"d{i}.spl").write_text((f"use d{i + 1}\n" if i + 1 < n else "") + "print 1\n")
    (tmp_path / "main.spl").write_text("use d0\n")
    proc = run(runtime, tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.startswith("d1998.spl:1:5: module 'd1999': modules use each other 2000 deep; "
                                  "more than 1999 is refused\n")


def test_a_chain_within_the_bound_loads(runtime, tmp_path):
    n = 1500
    for i in range(n):
        (tmp_path / f"d{i}.spl").write_text((f"use d{i + 1}.{{f{i + 1}}}\n" if i + 1 < n else "") +
                                            f"fn f{i}() -> i64:\n    {i}\n")
    (tmp_path / "main.spl").write_text("use d0.{f0}\nprint f0()\n")
    proc = run(runtime, tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "0\n", "")


def test_a_module_used_by_hundreds_loads_once(runtime, tmp_path):
    (tmp_path / "shared.spl").write_text('print "shared loaded"\nvar n = 0\nfn bump() -> i64:\n    n = n + 1\n    n\n')
    users = 400
    for i in range(users):
        (tmp_path / f"u{i}.spl").write_text(f"use shared.{{bump}}\nfn g{i}() -> i64:\n    bump()\n")
    lines = [f"use u{i}.{{g{i}}}" for i in range(users)]
    lines += [f"g{i}()" for i in range(users)]
    lines += ["use shared.{bump}", "print bump()"]
    (tmp_path / "main.spl").write_text("\n".join(lines) + "\n")
    proc = run(runtime, tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"shared loaded\n{users + 1}\n", "")


def test_a_module_reached_through_a_symlink_is_one_module(runtime, tmp_path):
    """Identity is the real path: the same file through a symlinked directory loads and runs once."""
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "counter.spl").write_text('print "counter loaded"\nvar n = 0\nfn next() -> i64:\n'
                                                   '    n = n + 1\n    n\n')
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "main.spl").write_text("use real.counter.{next}\nuse alias.counter\nprint next()\nprint next()\n")
    proc = run(runtime, tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "counter loaded\n1\n2\n", "")
