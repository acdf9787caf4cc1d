"""core's environment externs (issue 26) against Python's os, pwd and tempfile."""

from __future__ import annotations

import os
import pwd
import subprocess

from corestd import lines, run


def test_get_set_remove_against_the_child_environment(simple_runtime, tmp_path):
    # The child process (env) is the oracle: it sees what the script really set.
    env = {**os.environ, "SFFI_KEEP": "kept", "SFFI_GONE": "x"}
    out = lines(simple_runtime, """
print rt_env_get("SFFI_KEEP")
print rt_env_set("SFFI_NEW", "v=1")
print rt_env_remove("SFFI_GONE")
print rt_env_remove("SFFI_NEVER_SET")
print rt_env_get("SFFI_GONE") == nil
print rt_env_remove("")
print rt_env_remove("A=B")
val (out, err, code) = rt_process_run("env", [])
print out
""", tmp_path, env=env)
    assert out[:7] == ["kept", "true", "true", "true", "true", "false", "false"]
    child = dict(line.split("=", 1) for line in out[7:] if "=" in line)
    assert child["SFFI_NEW"] == "v=1" and child["SFFI_KEEP"] == "kept"
    assert "SFFI_GONE" not in child


def test_get_i64_parses_as_rust_does(simple_runtime, tmp_path):
    cases = {"SFFI_A": "42", "SFFI_B": "-7", "SFFI_C": "+5", "SFFI_D": " 1", "SFFI_E": "1x", "SFFI_F": "",
             "SFFI_G": "9223372036854775807", "SFFI_H": "9223372036854775808", "SFFI_I": "0x10"}
    body = "".join(f'print rt_env_get_i64("{k}", -99)\n' for k in [*cases, "SFFI_UNSET"])
    out = lines(simple_runtime, body, tmp_path, env={**os.environ, **cases})

    def oracle(v):  # Rust's i64::from_str: optional sign, decimal digits, in range
        try:
            n = int(v, 10) if v and not v[0].isspace() and v.strip() == v and "_" not in v else None
        except ValueError:
            n = None
        return n if n is not None and -2**63 <= n < 2**63 else -99
    assert out == [str(oracle(v)) for v in cases.values()] + ["-99"]


def test_cwd_home_temp(simple_runtime, tmp_path):
    env = {**os.environ, "HOME": "/some/home", "TMPDIR": "/some/tmp"}
    out = lines(simple_runtime, 'print rt_env_cwd()\nprint rt_env_home()\nprint rt_env_temp()\n', tmp_path, env=env)
    assert out == [str(tmp_path.resolve()), "/some/home", "/some/tmp"]
    bare = {k: v for k, v in os.environ.items() if k not in ("HOME", "TMPDIR")}
    out = lines(simple_runtime, 'print rt_env_home()\nprint rt_env_temp()\n', tmp_path, env=bare)
    assert out == [pwd.getpwuid(os.getuid()).pw_dir, "/tmp"]


def test_cwd_of_a_removed_directory_is_nil(simple_runtime, tmp_path):
    # The script removes its own working directory: getcwd fails, the result is nil.
    gone = tmp_path / "gone"
    out = lines(simple_runtime, 'print rt_dir_remove(rt_env_cwd(), true)\nprint rt_env_cwd()\n', gone)
    assert out == ["true", "nil"]


def test_get_args_is_rt_args(simple_runtime, tmp_path):
    out = lines(simple_runtime, "print rt_get_args()\nprint rt_args() == rt_get_args()\n", tmp_path,
                args=["one", "two words"])
    assert out == ['[one, two words]', "true"]


def test_exit_takes_an_i32_status(simple_runtime, tmp_path):
    assert run(simple_runtime, 'print "bye"\nrt_exit(42)\nprint "never"\n', tmp_path).returncode == 42
    proc = run(simple_runtime, "rt_exit(-1)\n", tmp_path)
    assert proc.returncode == 1 and "exit status must be in 0..255, got -1" in proc.stderr


def test_env_vars_against_the_environment(simple_runtime, tmp_path):
    env = {"SFFI_A": "1", "SFFI_B": "with = sign and spaces", "SFFI_EMPTY": "", "PATH": os.environ["PATH"]}
    out = lines(simple_runtime, """
print rt_env_set("SFFI_SET", "later")
for pair in rt_env_vars():
    val (name, value) = pair
    print "{name}={value}"
""", tmp_path, env=env)
    assert out[0] == "true"
    assert dict(line.split("=", 1) for line in out[1:]) == {**env, "SFFI_SET": "later"}


def test_simple_declarations_that_differ_in_optionality_bind(simple_runtime, tmp_path):
    # system.spl declares rt_env_cwd() -> text, io.spl rt_file_read_lines(path) -> [text]; core's
    # entries are optional. Both load; a nil result is then a script error naming the declaration.
    (tmp_path / "f.txt").write_text("a\nb\n")
    body = ('extern fn rt_env_cwd() -> text\nextern fn rt_file_read_lines(path: text) -> [text]\n'
            'print rt_env_cwd()\nprint rt_file_read_lines("f.txt")\nprint rt_file_read_lines("missing")\n')
    (tmp_path / "s.spl").write_text(body)
    proc = subprocess.run([str(simple_runtime), "s.spl"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.stdout.splitlines() == [str(tmp_path.resolve()), '[a, b]']
    assert proc.returncode == 1 and "rt_file_read_lines returned nil" in proc.stderr and "s.spl:2" in proc.stderr
