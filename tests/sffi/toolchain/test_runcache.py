"""toolchain.runcache: detection's pkg-config and readelf answers reused between scons runs
while what they read is unchanged, and asked again as soon as it changes.

The programs here are small shell scripts on a private PATH that count their runs.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sffi.toolchain import runcache


def _program(bin_dir: Path, name: str, body: str) -> Path:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\necho run >> {bin_dir}/{name}.runs\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _runs(bin_dir: Path, name: str) -> int:
    log = bin_dir / f"{name}.runs"
    return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.fixture
def tools(tmp_path, monkeypatch):
    """A PATH with `probe` (prints its argument and the first line of the file it is given) and
    a fake `pkg-config` whose search path is tmp/pc; the cache unconfigured afterwards."""
    bin_dir, pc = tmp_path / "bin", tmp_path / "pc"
    bin_dir.mkdir()
    pc.mkdir()
    _program(bin_dir, "probe", 'echo "$1 $(head -n1 "$2")"')
    _program(bin_dir, "pkg-config", f'if [ "$2" = pc_path ]; then echo {pc}; else echo "flags for $*"; fi')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("PKG_CONFIG_PATH", raising=False)
    yield bin_dir, pc
    runcache.configure(None)


def test_without_a_cache_file_every_call_runs(tools):
    bin_dir, _ = tools
    data = bin_dir.parent / "data.txt"
    data.write_text("one\n")
    runcache.configure(None)
    for _ in range(2):
        assert runcache.run_all([["probe", "a", str(data)]], [[str(data)]]) == [(0, "a one\n", "")]
    assert _runs(bin_dir, "probe") == 2


def test_a_result_is_reused_until_its_input_changes_and_survives_the_process(tools):
    bin_dir, _ = tools
    data, cache = bin_dir.parent / "data.txt", bin_dir.parent / "build" / ".detect-cache.json"
    data.write_text("one\n")
    runcache.configure(str(cache))
    cmd = [["probe", "a", str(data)]]
    first = runcache.run_all(cmd, [[str(data)]])
    assert runcache.run_all(cmd, [[str(data)]]) == first and _runs(bin_dir, "probe") == 1
    runcache.save()
    runcache.configure(str(cache))  # the next scons run
    assert runcache.run_all(cmd, [[str(data)]]) == first and _runs(bin_dir, "probe") == 1
    data.write_text("two, longer\n")
    assert runcache.run_all(cmd, [[str(data)]]) == [(0, "a two, longer\n", "")] and _runs(bin_dir, "probe") == 2


def test_pkg_config_is_asked_again_when_a_pc_file_appears_or_changes(tools):
    bin_dir, pc = tools
    runcache.configure(str(bin_dir.parent / "cache.json"))
    cmd = [["pkg-config", "--cflags", "zlib"]]
    assert runcache.run_all(cmd) == [(0, "flags for --cflags zlib\n", "")]
    runcache.run_all(cmd)
    asked = _runs(bin_dir, "pkg-config")  # the query and its own search path, once each
    assert asked == 2
    (pc / "zlib.pc").write_text("Name: zlib\n")
    runcache.configure(str(bin_dir.parent / "cache.json"))  # a new run sees the new .pc file
    runcache.run_all(cmd)
    assert _runs(bin_dir, "pkg-config") == asked + 2


def test_a_read_only_run_writes_no_cache_file(tools):
    bin_dir, _ = tools
    data, cache = bin_dir.parent / "data.txt", bin_dir.parent / "ro.json"
    data.write_text("x\n")
    runcache.configure(str(cache), write=False)
    runcache.run_all([["probe", "a", str(data)]], [[str(data)]])
    runcache.save()
    assert not cache.exists()


def test_a_damaged_cache_file_is_ignored_and_rewritten(tools):
    bin_dir, _ = tools
    data, cache = bin_dir.parent / "data.txt", bin_dir.parent / "cache.json"
    data.write_text("x\n")
    cache.write_text('{"probe\\u0000a": {"stamp": 1, "result": "nonsense"}, "other": 3')  # cut short
    runcache.configure(str(cache))
    assert runcache.run_all([["probe", "a", str(data)]], [[str(data)]]) == [(0, "a x\n", "")]
    runcache.save()
    assert _runs(bin_dir, "probe") == 1 and "probe" in cache.read_text()
