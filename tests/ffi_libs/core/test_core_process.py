"""rt_process_run with large outputs: 10 MiB on each stream, no deadlock, every byte kept.

The child (Python) writes all of stderr before any stdout, then the other
order, so a runtime that reads one pipe to its end before the other blocks
forever on a full pipe (64 KiB on Linux). The script saves both captured
streams with rt_file_write_text and the test compares them byte for byte.
The golden scripts core_process*.spl cover the small cases, under valgrind too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from goldenlib import SANITIZER_ENV

MIB = 1024 * 1024
STREAM = """
def stream(tag, size):
    line = (tag * 15 + "\\n").encode()
    return b"".join(b"%09d " % i + line for i in range(size // (10 + len(line)) + 1))[:size]
"""
CHILD = STREAM + """
import sys
order, size = sys.argv[1], int(sys.argv[2])
first, second = (sys.stderr, sys.stdout) if order == "err-first" else (sys.stdout, sys.stderr)
for f in (first, second):
    f.buffer.write(stream("e" if f is sys.stderr else "o", size))
    f.flush()
sys.exit(7)
"""
SCRIPT = """\
extern fn rt_args() -> [text]
extern fn rt_process_run(cmd: text, args: [text]) -> (text, text, i64)
extern fn rt_file_write_text(path: text, content: text) -> bool

val a = rt_args()
val (out, err, code) = rt_process_run(a[0], ["-c", a[1], a[2], a[3]])
print "{len(out)} {len(err)} {code}"
print rt_file_write_text("out.bin", out) and rt_file_write_text("err.bin", err)
"""


def _stream(tag: str, size: int) -> bytes:
    """The bytes the child writes for `tag` ("o" or "e"): numbered lines, cut at `size`."""
    namespace: dict = {}
    exec(STREAM, namespace)
    return namespace["stream"](tag, size)


def run_big(simple: Path, tmp_path: Path, order: str, size: int, env=None) -> None:
    (tmp_path / "big.spl").write_text(SCRIPT, encoding="utf-8")
    proc = subprocess.run([str(simple), "big.spl", sys.executable, CHILD, order, str(size)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{size} {size} 7\ntrue\n"
    assert (tmp_path / "out.bin").read_bytes() == _stream("o", size)
    assert (tmp_path / "err.bin").read_bytes() == _stream("e", size)


@pytest.mark.parametrize("order", ["err-first", "out-first"])
def test_ten_mib_on_each_stream(simple_runtime, tmp_path, order):
    run_big(simple_runtime, tmp_path, order, 10 * MIB)


@pytest.mark.slow
def test_ten_mib_on_each_stream_asan(simple_runtime_asan, tmp_path):
    run_big(simple_runtime_asan, tmp_path, "err-first", 10 * MIB, env={**os.environ, **SANITIZER_ENV})


def test_the_runtime_does_not_leak_pipes_into_the_child(simple_runtime, tmp_path):
    # Only 0, 1 and 2 reach the program: the pipes' other ends are close-on-exec.
    (tmp_path / "fds.spl").write_text(
        'extern fn rt_process_run(cmd: text, args: [text]) -> (text, text, i64)\n'
        'val (out, err, code) = rt_process_run("ls", ["/proc/self/fd"])\n'
        'print out\n', encoding="utf-8")
    proc = subprocess.run([str(simple_runtime), "fds.spl"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    # ls itself opens /proc/self/fd as one more descriptor (3).
    assert proc.stdout.split() == ["0", "1", "2", "3"]
