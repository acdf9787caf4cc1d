"""Errors that name the type of the value they refuse, when that value was made for the
error's own expression (so the error holds its last reference).

The message was once formatted after the value was released: for an instance, its type name
was read from freed memory (a heap use after free, found by the runtime_modules fuzz target
on `-Size(...)`). Each case runs on the release build (the message) and on the ASan/UBSan
build, which reports such a read.
"""

from __future__ import annotations

import subprocess

import pytest

from goldenlib import SANITIZER_ENV

DECLS = "struct Size:\n    width: i64\n\n"

# (name, statement, message)
CASES = [
    ("negate", "val s = -Size(width: 3)", "error: cannot negate Size"),
    ("condition", "if Size(width: 3):\n    print 1", "error: expected a bool here, got Size"),
    ("and-operand", "print Size(width: 3) and true", "error: expected a bool here, got Size"),
    ("slice-bound", "print [1, 2][Size(width: 1):]", "error: a slice bound must be an int, got Size"),
    ("no-field", "print Size(width: 3).height", "error: Size has no field 'height'"),
]


def run(runtime, tmp_path, name, statement, env=None):
    path = tmp_path / f"{name}.spl"
    path.write_text(DECLS + statement + "\n", encoding="utf-8")
    return subprocess.run([str(runtime), str(path)], capture_output=True, text=True, timeout=120,
                          env=env)


@pytest.mark.parametrize(("name", "statement", "message"), CASES, ids=[c[0] for c in CASES])
def test_error_names_the_type(runtime, tmp_path, name, statement, message):
    proc = run(runtime, tmp_path, name, statement)
    assert proc.returncode == 1, proc.stderr
    assert message in proc.stderr.splitlines()[0], proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize(("name", "statement", "message"), CASES, ids=[c[0] for c in CASES])
def test_error_names_the_type_asan(runtime_asan, tmp_path, name, statement, message):
    import os
    proc = run(runtime_asan, tmp_path, name, statement, env={**os.environ, **SANITIZER_ENV})
    assert "AddressSanitizer" not in proc.stderr and "runtime error" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert message in proc.stderr.splitlines()[0], proc.stderr
