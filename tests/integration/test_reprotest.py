"""Reproducible builds under Debian's reprotest (scripts/reprotest, docs/reliability.md).

The suite runs the bounded variation set (``--quick``: time through faketime, umask,
locales, timezone, build path, file ordering through disorderfs) on the sqlite selection
in both linkages; ``scripts/reprotest`` without ``--quick`` varies everything reprotest
can here (user_group needs sudo and a second account). A planted fault shows the check
can fail: a source that embeds ``__TIME__`` under the same variations.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from buildhelp import ROOT

pytestmark = pytest.mark.slow
QUICK = ["--no-diffoscope", "--variations=-all,+time,+umask,+locales,+timezone,+build_path,+fileordering"]


def needs_reprotest() -> None:
    missing = [t for t in ("reprotest", "faketime", "disorderfs") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian packages; scripts/bootstrap --with=all)")


def test_sqlite_builds_reproduce_in_both_linkages():
    needs_reprotest()
    proc = subprocess.run([ROOT / "scripts" / "reprotest", "--quick"], capture_output=True, text=True,
                          timeout=1800, cwd=ROOT)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "Reproduction successful" in out, out[-6000:]
    hashed = set(re.findall(r"^[0-9a-f]{64}  \./out/(\S+)$", out, re.M))
    assert hashed == {"simple-sqlite", "simple-sqlite.debug", "sffi_table-sqlite.c", "libsffi_core.a",
                      "libsffi_rust.a", "libsffi_sqlite.so"}, out[-3000:]


def test_reprotest_catches_a_planted_timestamp(tmp_path):
    needs_reprotest()
    src = tmp_path / "src"
    src.mkdir()
    (src / "t.c").write_text('const char *built_at = __TIME__;\n')
    proc = subprocess.run(["reprotest", *QUICK, "-c", "mkdir -p out && cc -c t.c -o out/t.o", ".", "out/*"],
                          capture_output=True, text=True, timeout=600, cwd=src)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and re.search(r"out/t\.o and \S+/out/t\.o differ", out), out[-3000:]
