"""`sffi symbols` and `sffi diff` on hand-made hostile ELF files (issue 24, items 6 and 7).

* Amplification: N symbols whose names all point at one long string. The output is N
  times that string (as `nm` prints it), but the memory must not be: one string per
  distinct name, rows streamed in bounded chunks. Measured as the peak RSS of a child
  process (`resource`, in a wrapper process so that no other child counts).
* Corrupt version data: a `.gnu.version` index that names no version, or a damaged
  `.gnu.version_d`, shows as `<corrupt>` (as `nm -D` prints it), never as unversioned,
  with a warning and the "worth review" exit bit (4); a `diff` reports it even when
  both sides are equally corrupt.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from elfgen import SharedObject, Sym, shared_object
from sffi.symbols import scan

SFFI = [sys.executable, "-c", "import sys; from sffi.cli import main; sys.exit(main(sys.argv[1:]))"]
N, LENGTH = 4096, 32768  # a 99 KB file; its table is N * LENGTH = 128 MiB of names

# Runs sffi with ARGS, counts its output, prints "<status> <bytes> <lines> <peak RSS in KiB>".
MEASURE = textwrap.dedent("""
    import resource, subprocess, sys
    proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    size = lines = 0
    while chunk := proc.stdout.read(1 << 20):
        size += len(chunk)
        lines += chunk.count(b"\\n")
    status = proc.wait()
    print(status, size, lines, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
""")


@pytest.fixture(scope="module")
def amplified(tmp_path_factory):
    """A shared object of N exported symbols that all name one LENGTH-byte string."""
    path = tmp_path_factory.mktemp("hostile") / "amplified.so"
    path.write_bytes(shared_object(SharedObject([Sym(1, 8) for _ in range(N)], strings=["f" * LENGTH])))
    return path


def _measure(*args: str) -> tuple[int, int, int, int]:
    out = subprocess.run([sys.executable, "-c", MEASURE, *SFFI, *args], capture_output=True, text=True,
                         timeout=300, check=True).stdout.split()
    return tuple(map(int, out))


def _baseline_kib() -> int:
    """The peak RSS of sffi printing a tiny table: the interpreter and its imports."""
    return _measure("symbols", "--help")[3]


@pytest.mark.parametrize("options", [[], ["--json"], ["--demangle"], ["--json", "--demangle"], ["--all"]])
def test_shared_long_name_output_is_streamed_not_held(amplified, options):
    status, size, lines, peak = _measure("symbols", *options, str(amplified))
    assert status == 0
    rows = N if "--json" not in options else N * 11  # a JSON object is 11 lines
    assert lines >= rows and size > N * LENGTH  # every row printed, each with the whole name
    # Without sharing and streaming, the names alone took N * LENGTH (128 MiB), the output as much again.
    assert peak - _baseline_kib() < 48 * 1024, f"peak RSS {peak} KiB for {size} bytes of output"


def test_shared_long_name_diff_is_bounded(amplified, tmp_path):
    other = tmp_path / "other.so"
    other.write_bytes(shared_object(SharedObject([Sym("g" * 100, 8)])))
    status, size, _, peak = _measure("diff", str(amplified), str(other))
    assert status & 8 and size > LENGTH  # the long name is removed: incompatible, and shown
    assert peak - _baseline_kib() < 48 * 1024, f"peak RSS {peak} KiB"


def test_names_sharing_an_offset_share_one_string(amplified):
    symbols = scan(amplified)
    assert len(symbols) == N and {s.name for s in symbols} == {"f" * LENGTH}
    from sffi.symbols import scan_rows
    names = scan_rows(amplified).names
    assert len({id(n) for n in names}) == 1


def test_empty_string_table_gives_empty_names_in_every_reader(tmp_path):
    """A fuzz finding (symbols_elf): a .dynstr of sh_size 0 at sh_offset 0. gABI permits an empty
    string table, in which only offset 0 is valid: the empty name. The C decoder
    reads '' there; pyelftools read the bytes at sh_offset, the ELF header's
    ('\\x7fELF...'), past the end of the table, and the fuzz target's cross-check failed."""
    from fuzz.py import targets
    from sffi.errors import ScanError
    path = tmp_path / "empty_dynstr.so"
    path.write_bytes(shared_object(SharedObject([Sym(0, 8), Sym(0, 4)], dynstr_header=(0, 0))))
    ours = scan(path)
    assert [(s.name, s.size) for s in ours] == [("", 8), ("", 4)]
    assert scan(path, backend="pyelftools") == ours
    targets.symbols(path.read_bytes())  # every reader and printing path agrees
    # a name offset other than 0 lies outside the empty table: every reader refuses it alike
    bad = tmp_path / "empty_dynstr_bad.so"
    bad.write_bytes(shared_object(SharedObject([Sym(0, 8), Sym(1, 4)], dynstr_header=(0, 0))))
    for backend in ("auto", "pyelftools"):
        with pytest.raises(ScanError, match=r"symbol 2's name offset 1 lies outside \.dynstr \(0 bytes\)"):
            scan(bad, backend=backend)
    targets.symbols(bad.read_bytes())


def _corrupt_so(tmp_path, verdefs, name="corrupt.so"):
    path = tmp_path / name
    path.write_bytes(shared_object(SharedObject(
        [Sym("good", 8, 2), Sym("hidden_bad", 1, 0x8007), Sym("bad", 4, 9), Sym("plain", 2)],
        verdefs=verdefs, versions=True)))
    return path


def _sffi(*args):
    return subprocess.run([*SFFI, *map(str, args)], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("verdefs, corrupt", [
    ([(1, "libx.so"), (2, "V1"), (3, "V2")], {"hidden_bad": True, "bad": False}),  # indexes 7 and 9: no such version
    # a damaged .gnu.version_d: the definition of V1 carries index 5, so index 2 names nothing
    ([(1, "libx.so"), (5, "V1")], {"good": False, "hidden_bad": True, "bad": False}),
])
def test_corrupt_version_index_is_shown_as_corrupt(tmp_path, verdefs, corrupt):
    path = _corrupt_so(tmp_path, verdefs)
    proc = _sffi("symbols", "--json", path)
    assert proc.returncode == 4
    assert f"{path}: {len(corrupt)} symbols with a corrupt version index" in proc.stderr
    symbols = {s["name"]: s for s in json.loads(proc.stdout)["files"][0]["symbols"]}
    for name, hidden in corrupt.items():
        assert (symbols[name]["version"], symbols[name]["version_hidden"]) == ("<corrupt>", hidden)
    assert symbols["plain"]["version"] is None
    if "good" not in corrupt:
        assert symbols["good"]["version"] == "V1"
    # the table says the same, and the pyelftools reference agrees with the C decoder
    table = _sffi("symbols", path)
    assert table.returncode == 4 and "<corrupt> (hidden)  hidden_bad" in table.stdout
    fields = lambda syms: sorted((s.name, s.version, s.version_hidden) for s in syms)  # noqa: E731
    assert fields(scan(path)) == fields(scan(path, backend="pyelftools"))


def test_diff_does_not_hide_corrupt_versions(tmp_path):
    corrupt = _corrupt_so(tmp_path, [(1, "libx.so"), (2, "V1"), (3, "V2")])
    same = _sffi("diff", corrupt, corrupt)
    assert same.returncode == 4, same.stdout + same.stderr  # no change, but worth review
    assert "warning: corrupt symbol version data" in same.stdout and "2 symbols old, 2 new" in same.stdout
    clean = tmp_path / "clean.so"
    clean.write_bytes(shared_object(SharedObject(
        [Sym("good", 8, 2), Sym("hidden_bad", 1, 0x8003), Sym("bad", 4, 2), Sym("plain", 2)],
        verdefs=[(1, "libx.so"), (2, "V1"), (3, "V2")], versions=True)))
    changed = _sffi("diff", "--format", "json", clean, corrupt)
    changes = {(c["name"], c["new"]) for c in json.loads(changed.stdout)["changes"]}
    assert {n for n, new in changes if "<corrupt>" in (new or "")} == {"hidden_bad", "bad"}
    assert changed.returncode & 4


def test_clean_versions_give_no_warning(tmp_path):
    path = tmp_path / "clean.so"
    path.write_bytes(shared_object(SharedObject([Sym("a", 1, 2), Sym("b", 1, 0x8002)],
                                                verdefs=[(1, "libx.so"), (2, "V1")], versions=True)))
    proc = _sffi("symbols", path)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert "V1 (hidden)  b" in proc.stdout


def test_corrupt_version_indexes_are_counted_without_the_c_extension(tmp_path, monkeypatch, capsys):
    """Where the extension is not built, pyelftools reads the file and `sffi symbols` still warns
    and exits 4 (docs/symbols.md, "Exit status and errors"), with the C decoder's count."""
    from sffi.cli import main
    from sffi.symbols import scan_rows, symtab

    path = _corrupt_so(tmp_path, [(1, "libx.so"), (2, "V1"), (3, "V2")])
    assert scan_rows(path).corrupt_versions() == 2
    assert main(["symbols", "--all", str(path)]) == 4
    ours = capsys.readouterr()
    monkeypatch.setattr(symtab, "_symtab", None)
    assert scan_rows(path).table is None and scan_rows(path).corrupt_versions() == 2
    assert main(["symbols", "--all", str(path)]) == 4
    assert capsys.readouterr() == ours
    assert "2 symbols with a corrupt version index" in ours.err
