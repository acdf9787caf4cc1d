"""goldenlib's update mode records what it changed (printed by tests/runtime/conftest.py)."""

from __future__ import annotations

import subprocess

import pytest

import goldenlib


def proc(out: str, err: str = "", status: int = 0) -> subprocess.CompletedProcess:
    return subprocess.CompletedProcess([], status, out.encode(), err.encode())


@pytest.fixture
def script(tmp_path, monkeypatch):
    """tmp_path/demo.spl with an empty CHANGES list."""
    monkeypatch.setattr(goldenlib, "CHANGES", [])
    path = tmp_path / "demo.spl"
    path.write_text('print "x"\n')
    return path


def test_update_notes_each_created_rewritten_and_removed_file(tmp_path, monkeypatch, script):
    monkeypatch.setattr(goldenlib, "UPDATE", True)
    (tmp_path / "demo.out").write_text("one\ntwo\n")
    (tmp_path / "demo.err").write_text("old warning\n")
    goldenlib.check(proc("one\n2\n", status=3), script, update=True)
    assert (tmp_path / "demo.out").read_text() == "one\n2\n"
    assert not (tmp_path / "demo.err").exists()
    assert (tmp_path / "demo.status").read_text() == "3\n"
    rewrote, removed, created = goldenlib.CHANGES
    assert rewrote.splitlines()[0] == f"rewrote {tmp_path / 'demo.out'}"
    assert rewrote.splitlines()[1:] == ["--- a/demo.out", "+++ b/demo.out", "@@ -1,2 +1,2 @@", " one", "-two", "+2"]
    assert removed.startswith(f"removed {tmp_path / 'demo.err'}\n") and "-old warning\n" in removed
    assert created.startswith(f"created {tmp_path / 'demo.status'}\n") and "+3\n" in created
    # a second update with the same output changes nothing and notes nothing
    goldenlib.check(proc("one\n2\n", status=3), script, update=True)
    assert len(goldenlib.CHANGES) == 3


def test_without_update_mode_nothing_is_written(tmp_path, monkeypatch, script):
    monkeypatch.setattr(goldenlib, "UPDATE", False)
    (tmp_path / "demo.out").write_text("expected\n")
    with pytest.raises(AssertionError):
        goldenlib.check(proc("got\n"), script, update=True)
    assert (tmp_path / "demo.out").read_text() == "expected\n" and goldenlib.CHANGES == []
