"""examples/simple-style: a program split over modules of its own, in the style of Simple's
library modules (a struct, a class with static and instance methods, an enum, Result values),
reaching sqlite and core through wrapper modules (issue 22). Run on a runtime with sqlite linked in;
the database it writes is read back with Python's sqlite3."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
MAIN = ROOT / "examples" / "simple-style" / "main.spl"

EXPECTED = """\
added #1: Dune (1965)
added #2: A Brief History of Time (1988)
added #3: The Selfish Gene (1976)
added #4: SPQR (2015)
added #5: Solaris (1961)
skipped: unknown genre 'poetry'
not added: Dune: UNIQUE constraint failed: books.title
{title}: 5 books
  fiction: 2
  science: 2
  history: 1
  before 1970: Solaris, Dune
"""


@pytest.fixture(scope="module")
def simple(build_runtime) -> Path:
    return build_runtime("sqlite")


def run(simple: Path, *args: str, wrapper: list[str] = (), env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("SHELF_TITLE", "SIMPLE_LIB")}
    return subprocess.run([*wrapper, str(simple), str(MAIN), *args], capture_output=True, text=True,
                          timeout=300, env={**base, **(env or {})})


def test_runs_in_memory(simple):
    proc = run(simple)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == EXPECTED.format(title="My shelf")


def test_writes_the_database_it_names(simple, tmp_path):
    db = tmp_path / "shelf.db"
    proc = run(simple, str(db), env={"SHELF_TITLE": "Books"})
    assert (proc.returncode, proc.stderr, proc.stdout) == (0, "", EXPECTED.format(title="Books"))
    rows = sqlite3.connect(db).execute("SELECT id, title, author, year, genre FROM books ORDER BY id").fetchall()
    assert rows == [(1, "Dune", "Frank Herbert", 1965, "fiction"),
                    (2, "A Brief History of Time", "Stephen Hawking", 1988, "science"),
                    (3, "The Selfish Gene", "Richard Dawkins", 1976, "science"),
                    (4, "SPQR", "Mary Beard", 2015, "history"),
                    (5, "Solaris", "Stanislaw Lem", 1961, "fiction")]
    again = run(simple, str(db))  # the titles are there already: every insert is refused, as a value
    assert again.returncode == 0
    assert again.stdout.count("UNIQUE constraint failed: books.title") == 6
    assert "My shelf: 0 books\n  fiction: 2\n" in again.stdout


def test_check_loads_every_module(simple):
    proc = subprocess.run([str(simple), "--check", str(MAIN)], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == f"{MAIN}: ok (4 modules besides the script, 14 extern declarations bound)\n"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_runs_clean_under_valgrind(simple):
    proc = run(simple, wrapper=["valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                                "--error-exitcode=99", "-q"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout == EXPECTED.format(title="My shelf")
