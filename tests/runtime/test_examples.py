"""The core examples under examples/core/ run as their headers say."""

import os
import subprocess

from buildhelp import ROOT

EXAMPLES = ROOT / "examples" / "core"


def run(simple, *args, env=None):
    return subprocess.run([str(simple), *map(str, args)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def test_textstats_counts_lines_words_and_characters(simple_runtime, tmp_path):
    text = "one two three\nfour five\n\nsix\n"
    sample = tmp_path / "sample.txt"
    sample.write_text(text)
    proc = run(simple_runtime, EXAMPLES / "textstats.spl", sample)
    assert proc.returncode == 0, proc.stderr
    lines, words, chars = len(text.splitlines()), len(text.split()), len(text) - text.count("\n")
    assert proc.stdout.splitlines()[0] == f"{sample}: {lines} lines, {words} words, {chars} characters"
    assert "longest word: three (5 characters)" in proc.stdout
    usage = run(simple_runtime, EXAMPLES / "textstats.spl")
    assert usage.returncode == 2 and "usage:" in usage.stdout + usage.stderr


def test_notes_add_list_clear(simple_runtime, tmp_path):
    env = {"NOTES_FILE": str(tmp_path / "notes.txt")}
    script = EXAMPLES / "notes.spl"
    assert run(simple_runtime, script, "add", "buy milk", env=env).returncode == 0
    assert run(simple_runtime, script, "add", "call home", env=env).returncode == 0
    listing = run(simple_runtime, script, "list", env=env)
    assert listing.returncode == 0
    assert listing.stdout.index("buy milk") < listing.stdout.index("call home")
    assert run(simple_runtime, script, "clear", env=env).returncode == 0
    assert "buy milk" not in run(simple_runtime, script, "list", env=env).stdout


def test_dirreport_lists_with_rt_dir_list_and_asks_programs(simple_runtime, tmp_path):
    # Names with a space and a '*' reach wc and test as one argument each (no shell).
    (tmp_path / "sub dir").mkdir()
    (tmp_path / "notes *.txt").write_text("a\nb\nc\n")
    (tmp_path / "Zed").write_text("one\n")
    (tmp_path / "empty").write_text("")
    proc = run(simple_runtime, EXAMPLES / "dirreport.spl", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (f"{tmp_path}: 4 entries\n"
                           "  Zed: 1 lines\n"
                           "  empty: 0 lines\n"
                           "  notes *.txt: 3 lines\n"
                           "  sub dir: directory\n"
                           "ls -A agrees: 4 entries\n")
    assert proc.stderr == ""


def test_dirreport_of_a_missing_directory_is_a_script_error(simple_runtime, tmp_path):
    proc = run(simple_runtime, EXAMPLES / "dirreport.spl", tmp_path / "missing")
    assert proc.returncode == 1
    assert f"rt_dir_list failed: cannot list '{tmp_path / 'missing'}': No such file or directory" in proc.stderr
