"""`sffi diff` of two shared objects in C (sffi.report.diff_fast, sffi.symbols._symtab.diff) against
the Python path, its reference: the same report, byte for byte, text and JSON, and the same exit status.

Inputs: the shared objects of tests/sffi/report/test_diff.py built without debug info (with DWARF the
Python path runs: signatures are compared), system libraries, libtorch_cpu.so against a copy and
a changed copy, and random hand-made tables (tests/elfgen.py) with what a toolchain
rarely writes: several symbols of one name, local and hidden ones, corrupt version indexes,
version nodes, Rust-hashed names, common and TLS symbols, sizes of 4 GiB and more.
"""

from __future__ import annotations

import random
import struct
import sys
from pathlib import Path

import pytest

from cbuild import CC, run, write
from elfgen import SharedObject, Sym, shared_object
from sffi.cli import main
from sffi.report import diff, diff_fast
from sffi.symbols import symtab
from test_diff import V1, V2, V_ADDED

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "symbols"))  # test_symbols.py, tests/sffi/symbols/
from test_symbols import SYSTEM_LIBS, libtorch_cpu, present  # noqa: E402


def report(monkeypatch, capsys, old: Path, new: Path, extra: list[str], c_path: bool) -> tuple[int, str]:
    """(exit status, stdout + stderr) of ``sffi diff OLD NEW EXTRA``, with the C extension or without it."""
    with monkeypatch.context() as m:
        if not c_path:
            m.setattr(symtab, "_symtab", None)
        status = main(["diff", str(old), str(new), *extra])
    out = capsys.readouterr()
    return status, out.out + out.err


def assert_paths_agree(monkeypatch, capsys, old: Path, new: Path) -> bool:
    """Both paths give the same text and JSON reports for OLD NEW and NEW OLD; whether the C one ran."""
    applies = diff_fast.load_pair(old, new, diff._VARIABLE_TYPES) is not None
    for a, b in ((old, new), (new, old)):
        for extra in ([], ["--format", "json"]):
            ours = report(monkeypatch, capsys, a, b, extra, c_path=True)
            assert ours == report(monkeypatch, capsys, a, b, extra, c_path=False), (a, b, extra)
    return applies


def shared(tmp_path: Path, name: str, source: str, *flags: str) -> Path:
    """``name.so`` of one C source, without debug info (cc -shared -fPIC)."""
    src = write(tmp_path / f"{name}.c", source)
    run([CC, "-O0", "-shared", "-fPIC", *flags, str(src), "-o", str(tmp_path / f"{name}.so")])
    return tmp_path / f"{name}.so"


def rewrite_dynsym(path: Path, out: Path, change) -> Path:
    """A copy of a 64-bit little-endian shared object with ``change(index, entry)`` applied to each
    defined ``.dynsym`` entry (a bytearray of 24 bytes, changed in place)."""
    data = bytearray(path.read_bytes())
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    dynsym = next(h for h in headers if h[1] == 11)
    for i in range(1, dynsym[5] // 24):
        at = dynsym[4] + 24 * i
        entry = data[at:at + 24]
        if entry[6:8] != b"\0\0":
            change(i, entry)
            data[at:at + 24] = entry
    out.write_bytes(bytes(data))
    return out


def rebuilt(i: int, entry: bytearray) -> None:
    """What a rebuild with some changes looks like: every value moved, some sizes changed, some
    exports made weak or hidden."""
    struct.pack_into("<Q", entry, 8, struct.unpack_from("<Q", entry, 8)[0] + 16)
    if i % 50 == 0:
        struct.pack_into("<Q", entry, 16, struct.unpack_from("<Q", entry, 16)[0] + 8)
    if i % 97 == 0 and entry[4] >> 4 == 1:
        entry[4] = 2 << 4 | entry[4] & 15
    if i % 211 == 0:
        entry[5] = entry[5] & ~3 | 2


def test_fixture_libraries(tmp_path, monkeypatch, capsys):
    """test_diff's libraries: removals, additions, a weak binding, a variable's size, versions, protected."""
    v1, v2, added = (shared(tmp_path, n, s) for n, s in (("v1", V1), ("v2", V2), ("v3", V_ADDED)))
    script = write(tmp_path / "v.map", "V1 { global: *; };\n")
    a1 = shared(tmp_path, "a1", "#include <stdint.h>\nint64_t g_size = 1;\nvoid f_prot(void) {}\n")
    a2 = shared(tmp_path, "a2", "#include <stdint.h>\nint32_t g_size = 1;\n"
                "__attribute__((visibility(\"protected\"))) void f_prot(void) {}\n", f"-Wl,--version-script={script}")
    for old, new in ((v1, v2), (v1, added), (v1, v1), (a1, a2), (v2, a2)):
        assert assert_paths_agree(monkeypatch, capsys, old, new), (old, new)
    assert report(monkeypatch, capsys, v1, v2, [], c_path=True)[0] == 12


def test_system_libraries_and_libtorch(tmp_path, monkeypatch, capsys):
    """Two different libraries (every export added or removed), and libtorch_cpu.so (74,000 exports)
    against a copy and against a rebuilt-looking copy (values moved, sizes, bindings, visibility changed)."""
    libs = [p for p in present(SYSTEM_LIBS, "libsqlite3-dev and zlib1g-dev: scripts/bootstrap --with=all")
            if p.suffix != ".a"]
    applied = [assert_paths_agree(monkeypatch, capsys, old, new) for old, new in zip(libs, libs[1:])]
    assert any(applied) or len(libs) < 2  # libc.so.6 is a program (PT_INTERP): the Python path
    for torch in libtorch_cpu():
        copy = rewrite_dynsym(torch, tmp_path / "copy.so", lambda i, e: None)
        assert assert_paths_agree(monkeypatch, capsys, torch, copy)
        assert assert_paths_agree(monkeypatch, capsys, torch, rewrite_dynsym(torch, tmp_path / "changed.so", rebuilt))


NAMES = ["alpha", "beta", "gamma", "V1", "V2", "_ZN3std2io5stdio6_print17h0123456789abcdefE", "_RNvCs1_4core3foo",
         "_Rust_eh", "_ZN17h0123456789abcdeE", "x" * 30, "x" * 31, "x" * 30 + "y", "", "<corrupt>"]
INFOS = [b << 4 | t for b in (0, 1, 2, 10, 3) for t in (0, 1, 2, 3, 4, 5, 6, 10, 12)]


VERDEFS = [[], [(1, "libx.so"), (2, "V1")], [(1, "libx.so"), (2, "V1"), (3, "V2")], [(1, "libx.so"), (5, "V1")]]


def random_sym(rng: random.Random) -> Sym:
    return Sym(rng.choice(NAMES), rng.choice([0, 4, 8, 2 ** 33 + 8]), rng.choice([None, 0, 1, 2, 3, 7, 0x8002, 0x8009]),
               rng.choice(INFOS), rng.randrange(4), rng.choice([0, 1, 1, 1, 0xFFF2]))


def changed_sym(rng: random.Random, sym: Sym) -> Sym:
    """``sym`` with each field replaced by a random one's at a chance of 1 in 4."""
    other = random_sym(rng)
    fields = ("name", "size", "versym", "info", "other", "shndx")
    return Sym(*(getattr(other if rng.random() < 0.25 else sym, f) for f in fields))


def random_pair(rng: random.Random, old: Path, new: Path) -> None:
    """Two random tables: names from a small pool (so that they repeat and match), any binding, type,
    visibility and section, versions V1/V2 defined or not (a corrupt index); NEW mostly OLD's
    symbols with some fields changed, some dropped and some added."""
    symbols = [random_sym(rng) for _ in range(rng.randrange(1, 12))]
    verdefs, versions = rng.choice(VERDEFS), rng.random() < 0.8
    old.write_bytes(shared_object(SharedObject(symbols, verdefs=verdefs, versions=versions)))
    symbols = [changed_sym(rng, s) for s in symbols if rng.random() < 0.9]
    symbols += [random_sym(rng) for _ in range(rng.randrange(3))]
    if rng.random() < 0.3:
        verdefs, versions = rng.choice(VERDEFS), rng.random() < 0.8
    new.write_bytes(shared_object(SharedObject(symbols or [random_sym(rng)], verdefs=verdefs, versions=versions)))


def test_random_tables(tmp_path, monkeypatch, capsys):
    """400 random pairs: the C path reports what the Python path reports."""
    rng = random.Random(25)
    for n in range(400):
        old, new = tmp_path / f"{n}a.so", tmp_path / f"{n}b.so"
        random_pair(rng, old, new)
        assert diff_fast.load_pair(old, new, diff._VARIABLE_TYPES) is not None
        for extra in ([], ["--format", "json"]):
            ours = report(monkeypatch, capsys, old, new, extra, c_path=True)
            assert ours == report(monkeypatch, capsys, old, new, extra, c_path=False), (n, extra, ours)


def test_python_path_where_the_c_path_does_not_apply(tmp_path, monkeypatch):
    """Debug info (signatures are compared), a name that is not printable ASCII, names past the limit."""
    with_g = tmp_path / "g.so"
    run([CC, "-g", "-shared", "-fPIC", str(write(tmp_path / "g.c", V1)), "-o", str(with_g)])
    plain = shared(tmp_path, "plain", V1)
    odd = tmp_path / "odd.so"
    odd.write_bytes(shared_object(SharedObject([Sym("caf\u00e9"), Sym("tab\there")])))
    assert diff_fast.load_pair(plain, plain, diff._VARIABLE_TYPES) is not None
    assert diff_fast.load_pair(with_g, plain, diff._VARIABLE_TYPES) is None
    assert diff_fast.load_pair(odd, plain, diff._VARIABLE_TYPES) is None
    assert diff_fast.load_pair(tmp_path, plain, diff._VARIABLE_TYPES) is None
    from sffi.symbols import scan_rows

    a = scan_rows(plain).table
    assert symtab.diff_tables(a, a, diff._VARIABLE_TYPES) is not None
    monkeypatch.setattr(symtab, "DIFF_NAME_BYTES", 3)  # a side's names total more: the Python path
    assert symtab.diff_tables(a, a, diff._VARIABLE_TYPES) is None


def test_c_diff_checks_its_buffers():
    """sffi.symbols._symtab.diff on hand-made buffers: short keep, keys or version ids, a version id
    naming no version name, a name without its NUL; a partial entry at the end is no entry."""
    from sffi.symbols import _symtab

    def entry(name: int, info: int = 0x12, shndx: int = 1) -> bytes:  # Elf64_Sym, little-endian
        return struct.pack("<IBBHQQ", name, info, 0, shndx, 0, 8)

    def key(attr: int) -> bytes:
        return (attr << 32 | 8).to_bytes(8, sys.byteorder)

    strings, vids = b"\0beta\0alpha\0", bytes(4 * 32768)
    entries, keys, keep = entry(1) + entry(6), key(0x812) * 2, b"\1\1"
    side = (entries, strings, keys, keep, True, True, vids)
    args = ([b""], 5, bytes(16), 1 << 20)
    assert _symtab.diff(side, side, *args) == ([], (0, 0), (0, 0), 2)
    other = (entry(1) + b"\xff" * 23, strings, keys, keep, True, True, vids)
    assert _symtab.diff(side, other, *args) == ([(1, None, None, None)], (0, 0), (0, 0), 1)
    bad = [(entries, strings, keys, b"\1", True, True, vids), (entries, strings, keys[:8], keep, True, True, vids),
           (entries, strings, keys, keep, True, True, vids[:-4])]
    for wrong, message in zip(bad, ("keep is shorter", "keys are shorter", "vids are shorter")):
        with pytest.raises(ValueError, match=message):
            _symtab.diff(side, wrong, *args)
    versioned = (entries, strings, key(0x812 | 5 << 16) * 2, keep, True, True, struct.pack("=32768I", *[7] * 32768))
    with pytest.raises(ValueError, match="version id 7 out of range"):
        _symtab.diff(side, versioned, *args)
    with pytest.raises(ValueError, match="no NUL byte"):
        _symtab.diff(side, (entry(7), b"\0beta\0alpha", key(0x812), b"\1", True, True, vids), *args)
    with pytest.raises(ValueError, match="common must be"):
        _symtab.diff(side, side, [b""], 16, bytes(16), 1 << 20)
