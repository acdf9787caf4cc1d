"""Every fuzz target of fuzz/ runs for a few seconds and finds nothing.

The long campaign is scripts/fuzz (figures in docs/reliability.md); here each
target starts from its committed seeds in a fresh corpus, so a regression that
a seed or a few thousand mutations reach fails the suite with the crashing
input's path and the fuzzer's report. No known bug is looked past: the inputs
that once hung or crashed the readers (issue 17) are answered like any other.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import struct
import subprocess

import pytest

from fuzz import campaign, native
from fuzz.py import targets
from sffi.errors import SffiError

SECONDS = 5  # per target: 14 targets, about a minute and a half in all
SHT_GNU_VERNEED = 0x6FFFFFFE


def _require(target: str) -> None:
    if target in campaign.NATIVE and not shutil.which("clang"):
        pytest.skip("clang is not installed (scripts/bootstrap --with=all installs it)")
    if target in campaign.PYTHON and importlib.util.find_spec("atheris") is None:
        pytest.skip("atheris is not installed (scripts/bootstrap --with=all installs it)")


@pytest.mark.parametrize("target", campaign.TARGETS)
def test_target_finds_nothing(target, tmp_path):
    _require(target)
    result = campaign.run(target, SECONDS, tmp_path)
    log = open(result.log, errors="replace").read()
    assert result.ok, f"{target}: exit {result.status}, artifacts {result.artifacts}\n{log[-6000:]}"
    assert result.execs > 0 and result.cov > 0, f"{target} did not run:\n{log[-3000:]}"
    print(f"{target}: {result.execs} executions, cov {result.cov}, ft {result.ft}, corpus {result.corpus}")


def _run_native(target: str, script: str, tmp_path) -> subprocess.CompletedProcess:
    exe = native.build([target])[target]
    case = tmp_path / "case.spl"
    case.write_text(script)
    return subprocess.run([str(exe), str(case)], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("script", [
    "while true:\n    print 1\n",                        # endless loop: the step budget
    "fn f(n):\n    return f(n + 1)\nprint f(0)\n",        # endless recursion: depth and stack checks
    'var t = "ab"\nwhile true:\n    t = t + t + t\n',    # exponential text: the memory budget
    "var a = [1]\nfor i in 0..100000000:\n    a = a + a\n",
    # shared structure: 2^80 items to print or compare, from a loop of 80 steps
    "var a = [1]\nfor i in 0..80:\n    a = [a, a]\nprint a\n",
    "var a = [1]\nvar b = [1]\nfor i in 0..80:\n    a = [a, a]\n    b = [b, b]\nprint a == b\n",
    # an instance reaching itself twice: 2^100 lines before the cycle was printed once (CI timeout)
    "class N:\n    var l: [N]\nvar n = N(l: [])\nn.l.push(n)\nn.l.push(n)\nprint n\n",
])
def test_interp_budget_stops_runaway_scripts(script, tmp_path):
    _require("runtime_interp")
    proc = _run_native("runtime_interp", script, tmp_path)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "Executed" in proc.stderr


@pytest.mark.parametrize(("levels", "status"), [("1000", 0), ("0", 2), ("1000x", 2), ("", 2)])
def test_deep_target_takes_its_depth_from_the_environment(levels, status):
    """SFFI_FUZZ_DEEP_LEVELS sets the depth of runtime_deep's deep values (a campaign after shapes
    runs at 300 levels, docs/reliability.md); a value that is not a depth from 1 to 10,000,000
    stops the target before it fuzzes, naming the variable."""
    _require("runtime_deep")
    exe = native.build(["runtime_deep"])["runtime_deep"]
    seeds = sorted(campaign.seed_dirs("runtime_deep")[0].iterdir())
    proc = subprocess.run([str(exe), *map(str, seeds)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "SFFI_FUZZ_DEEP_LEVELS": levels})
    assert proc.returncode == status, proc.stderr[-3000:]
    if status:
        assert f"SFFI_FUZZ_DEEP_LEVELS={levels} is not a depth" in proc.stderr
    else:
        assert f"Executed {seeds[-1]}" in proc.stderr


@pytest.mark.parametrize("target", campaign.NATIVE)
def test_native_target_reports_a_memory_error(target, tmp_path):
    """The targets are ASan-instrumented: the planted over-read (SFFI_FUZZ_SELFTEST) is reported."""
    _require(target)
    exe = native.build([target])[target]
    case = tmp_path / "case"
    case.write_bytes(b"selftest")
    proc = subprocess.run([str(exe), str(case)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SFFI_FUZZ_SELFTEST": "1"})
    assert proc.returncode != 0 and "heap-buffer-overflow" in proc.stderr, proc.stderr[-3000:]


def _seed_with_version_count(count: int) -> bytes:
    """The seed shared object with the ``sh_info`` of its .gnu.version_r set to ``count``."""
    data = bytearray((campaign.seed_dirs("symbols_elf")[0] / "libseed.so").read_bytes())
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    for i in range(shnum):
        at = shoff + i * shentsize
        if struct.unpack_from("<I", data, at + 4)[0] == SHT_GNU_VERNEED:
            struct.pack_into("<I", data, at + 44, count)
            return bytes(data)
    raise AssertionError("the seed has no .gnu.version_r")


def test_symbols_target_answers_a_huge_version_count():
    """Issue 17 item 2, once looked past by the harness: sh_info = 0xffffffff is one SffiError, not a hang."""
    data = _seed_with_version_count(0xFFFFFFFF)
    from sffi import symbols
    with pytest.raises(SffiError, match=r"\.gnu\.version_r claims 4294967295 entries"):
        symbols.scan_file(targets._write("verneed.so", data))
    targets.one_input("symbols_elf", data)


def test_dwarf_target_answers_a_huge_section_with_scan_error():
    """The DWARF reader's finding (a section claiming 2**62 bytes was a MemoryError) is fixed, not filtered."""
    data = bytearray((campaign.seed_dirs("dwarf")[0] / "seed_g.o").read_bytes())
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, = struct.unpack_from("<H", data, 0x3A)
    struct.pack_into("<Q", data, shoff + shentsize + 32, 1 << 62)  # sh_size of section 1 (.text)
    from sffi.dwarf import reader
    with pytest.raises(SffiError, match=r"section \.text spans"):
        reader.read_prototypes(targets._write("huge.o", bytes(data)))
    targets.one_input("dwarf", bytes(data))


def test_python_target_reports_unexpected_exceptions(monkeypatch):
    """Only SffiError is an answer to bad input; anything else reaches atheris as a crash."""
    def broken(data):
        raise KeyError(data)
    monkeypatch.setitem(targets.TARGETS, "decls", (broken, []))
    with pytest.raises(KeyError):
        targets.one_input("decls", b"x")


def test_symbols_target_catches_readers_that_disagree(monkeypatch):
    """The symbols targets cross-check the readers: planted, a LIEF backend that drops a symbol
    and a C path that prints one byte more than the Python path."""
    from sffi.commands import symbols_listing
    from sffi.symbols import reference

    seed = (campaign.seed_dirs("symbols_elf")[0] / "libseed.so").read_bytes()
    targets.symbols(seed)  # the real readers agree
    with monkeypatch.context() as m:
        real = reference.read_shared_lief
        m.setattr(reference, "read_shared_lief", lambda path: (real(path)[0], real(path)[1][1:]))
        with pytest.raises(targets.Disagreement, match=r"^symbols: auto gave \('rows'.*, lief gave \('rows'"):
            targets.symbols(seed)
    with monkeypatch.context() as m:
        real_c = symbols_listing._write_table_c  # the printing lives in symbols_listing (toolkit)
        m.setattr(symbols_listing, "_write_table_c", lambda found, out: real_c(found, out) and not out.write("x"))
        with pytest.raises(targets.Disagreement, match=r"^sffi symbols \(exports\): the C extension gave"):
            targets.symbols(seed)
