"""core's process, shell and signal externs (issue 26) against Python's subprocess and os.

rt_process_* never use a shell (a program named by a shell line is not found);
rt_shell*/rt_exec* run "/bin/sh -c". rt_process_kill refuses pid <= 1 and any
process of the runtime's own process group (this pytest is in it) by contract.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from corestd import lines, run

PY = sys.executable


def _text(value: bytes) -> str:
    return value.decode("utf-8", errors="replace")


def test_run_timeout_and_limits(simple_runtime, tmp_path):
    out = lines(simple_runtime, f"""
val (o, e, c) = rt_process_run_timeout("{PY}", ["-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"], 5000)
print "{{o == "out\\n"}} {{e == "err\\n"}} {{c}}"
val (o2, e2, c2) = rt_process_run_timeout("sleep", ["10"], 200)
print "[{{o2}}] [{{e2}}] {{c2}}"
val (o3, e3, c3) = rt_process_run_timeout("sh", ["-c", "echo partial; echo oops >&2; sleep 10"], 300)
print "{{o3 == "partial\\n"}} {{e3 == "oops\\n\\nProcess timed out"}} {{c3}}"
val (o4, e4, c4) = rt_execute_native("{PY}", ["-c", "print(6 * 7)"], 0)
print "{{o4 == "42\\n"}} {{c4}}"
val (o5, e5, c5) = rt_process_run_with_limits("{PY}", ["-c", "b = bytearray(400 * 1024 * 1024); print('got it')"], 20000, 100)
print "{{o5}} {{c5 != 0}}"
val (o6, e6, c6) = rt_process_run_with_limits("{PY}", ["-c", "print('small')"], 20000, 1000)
print "{{o6 == "small\\n"}} {{c6}}"
val (o7, e7, c7) = rt_process_run_timeout("no-such-program-sffi", [], 100)
print "{{e7}} {{c7}}"
val (o8, e8, c8) = rt_process_run_timeout("sh", ["-c", "kill -TERM $$"], 5000)
print c8
""", tmp_path, timeout=60)
    assert out == ["true true 3", "[] [Process timed out] -1", "true true -1", "true 0", " true", "true 0",
                   "cannot run 'no-such-program-sffi': No such file or directory -1", "-1"]


def test_timeout_kills_the_whole_process_group(simple_runtime, tmp_path):
    out = lines(simple_runtime, """
val (o, e, c) = rt_process_run_timeout("sh", ["-c", "sleep 30 & echo $!; wait"], 300)
print o
""", tmp_path)
    grandchild = int(out[0])
    for _ in range(100):
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        subprocess.run(["sleep", "0.02"])
    else:
        raise AssertionError(f"grandchild {grandchild} survived the timeout")


def test_run_bounded_keeps_head_and_tail(simple_runtime, tmp_path):
    prog = "import sys; sys.stdout.write('HEAD' + 'x' * 10000 + 'TAIL'); sys.stderr.write('e' * 10)"
    out = lines(simple_runtime, f"""
val (o, e, c) = rt_process_run_bounded("{PY}", ["-c", "{prog}"], 5000, 64)
print rt_file_write_text("o.txt", o) and rt_file_write_text("e.txt", e)
print c
val (o2, e2, c2) = rt_process_run_bounded("{PY}", ["-c", "{prog}"], 5000, 0)
print rt_file_write_text("o2.txt", o2)
print c2
""", tmp_path)
    assert out == ["true", "0", "true", "0"]
    full = "HEAD" + "x" * 10000 + "TAIL"
    assert (tmp_path / "o.txt").read_text() == full[:32] + "\n[output truncated: 9944 bytes omitted]\n" + full[-32:]
    assert (tmp_path / "e.txt").read_text() == "e" * 10
    assert (tmp_path / "o2.txt").read_text() == "\n[output truncated: 10008 bytes omitted]\n"
    proc = run(simple_runtime, 'rt_process_run_bounded("true", [], 0, -1)\n', tmp_path)
    assert proc.returncode == 1 and "max_output_bytes must be >= 0" in proc.stderr


def test_output_and_inherit_against_subprocess(simple_runtime, tmp_path):
    args = ["-c", "import sys; print('to out'); print('to err', file=sys.stderr); sys.exit(4)"]
    oracle = subprocess.run([PY, *args], capture_output=True)
    proc = run(simple_runtime, f"""
print rt_process_output("{PY}", {json.dumps(args)}) == "{_text(oracle.stdout).strip()}\\n"
print "[{{rt_process_output("no-such-program-sffi", [])}}]"
print rt_process_run_inherit("{PY}", {json.dumps(args)})
print rt_process_run_inherit("no-such-program-sffi", [])
print rt_process_output("echo", ["a; echo b", "$HOME"])
""", tmp_path)
    assert proc.returncode == 0, proc.stderr
    # The inherited stdout shares the script's: the child's line comes between the script's own.
    assert proc.stdout.splitlines() == ["true", "[]", "to out", "4", "-1", "a; echo b $HOME", ""]
    assert proc.stderr == "to err\n"


def test_spawn_wait_kill(simple_runtime, tmp_path):
    out = lines(simple_runtime, f"""
val p = rt_process_spawn("{PY}", ["-c", "import sys; sys.exit(9)"])
print p > 0
print rt_process_wait(p, 0)
print rt_process_wait(p, 0)
val q = rt_process_spawn("sleep", ["30"])
print rt_process_exists(q)
print rt_process_wait(q, 50)
print rt_process_kill(q)
print rt_process_exists(q)
print rt_process_kill(q)
print rt_process_wait(q, 0)
print rt_process_spawn("no-such-program-sffi", [])
print rt_process_kill(1)
print rt_process_kill(0)
print rt_process_kill(-1)
print rt_process_kill(rt_getpid())
print rt_process_wait(1, 10)
print rt_process_exists(rt_getpid())
print rt_process_exists(4611686018427387904)
print rt_process_exists(0)
""", tmp_path)
    assert out == ["true", "9", "-1", "true", "-2", "true", "false", "false", "-1", "-1",
                   "false", "false", "false", "false", "-1", "true", "false", "false"]


def test_kill_refuses_the_runtimes_process_group(simple_runtime, tmp_path):
    # This pytest shares the runtime's process group: its pid must be refused, and it lives on.
    out = lines(simple_runtime, f"print rt_process_kill({os.getpid()})\nprint rt_process_exists({os.getpid()})\n",
                tmp_path)
    assert out == ["false", "true"]


def test_kill_refuses_a_child_that_joined_the_runtimes_process_group(simple_runtime, tmp_path):
    # A spawned child (so one rt_process_kill would otherwise signal) moves itself into the
    # runtime's process group: the group rule alone must refuse it.
    join = ("import os, time; os.setpgid(0, os.getpgid(os.getppid())); "
            "n = os.open(os.devnull, os.O_WRONLY); os.dup2(n, 1); os.dup2(n, 2); "  # the test's pipes: let go
            "open('joined', 'w').close(); time.sleep(30)")
    out = lines(simple_runtime, f"""
val p = rt_process_spawn("{PY}", ["-c", "{join}"])
var tries = 0
while not rt_file_exists("joined") and tries < 500:
    rt_sleep_ms(10)
    tries += 1
print p
print rt_process_kill(p)
print rt_process_exists(p)
""", tmp_path)
    pid = int(out[0])
    try:
        assert out[1:] == ["false", "true"]
        assert os.getpgid(pid) == os.getpgid(0)
    finally:
        os.kill(pid, signal.SIGKILL)


def test_hwm(simple_runtime, tmp_path):
    out = lines(simple_runtime, "print rt_process_hwm_kib()\n", tmp_path)
    assert 100 < int(out[0]) < 10_000_000


def test_shell_externs_against_subprocess(simple_runtime, tmp_path):
    line = "echo one; echo two >&2; exit 5"
    oracle = subprocess.run(["/bin/sh", "-c", line], capture_output=True, text=True)
    proc = run(simple_runtime, f"""
val (o, e, c) = rt_shell_exec_tuple("{line}")
print o == "{oracle.stdout.strip()}\\n"
print e == "{oracle.stderr.strip()}\\n"
print c == {oracle.returncode}
print rt_shell_exit_code()
print rt_shell_output("printf '%s' \\"$((6 * 7))\\" | tr 4 X; exit 2")
print rt_shell_exit_code()
print rt_exec_output("echo hi")
print rt_shell("echo from-shell; exit 7")
print rt_exec("exit 300")
print rt_shell_exit_code()
print rt_shell("kill -TERM $$")
""", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["true", "true", "true", "5", "X2", "2", "hi", "", "from-shell", "7", "44", "44", "-1"]


def test_shell_exit_code_starts_at_zero(simple_runtime, tmp_path):
    assert lines(simple_runtime, "print rt_shell_exit_code()\n", tmp_path) == ["0"]


def test_signals_are_counted(simple_runtime, tmp_path):
    out = lines(simple_runtime, """
print rt_signal_check(10)
print rt_signal_install(10)
print rt_signal_check(10)
rt_shell("kill -USR1 $PPID; kill -USR1 $PPID")
print rt_signal_check(10)
print rt_signal_check(10)
print rt_signal_install(9)
print rt_signal_install(11)
print rt_signal_install(0)
print rt_signal_install(4611686018427387904)
print rt_signal_check(9)
""", tmp_path)
    assert out[:3] == ["-1", "0", "0"]
    # Two deliveries of one pending signal may merge into one, and the second may arrive after
    # the first check (delivery is asynchronous): counted once or twice, never lost, never more.
    assert out[3] in ("1", "2") and int(out[3]) + int(out[4]) in (1, 2)
    assert out[5:] == ["-1", "-1", "-1", "-1", "-1"]
