"""The host kit end to end: `scons hostkit --with=sqlite`, then two example hosts built on it.

The Rust host (tests/integration/hosts/rust, cargo --offline, no crates) and the C++ host
(tests/integration/hosts/cpp, linked through the kit's pkg-config file) bind the same
declarations (declarations.txt) and must print exactly expected.txt: text,
arrays, nil, library errors arriving as the host's own error naming the
extern, a refused signature with both signatures, unknown names with the
library that provides them. Tuple results wait for ABI v2 (the hosts build
their row tuples themselves).
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
from pathlib import Path

import pytest

import elforacle
from buildhelp import ROOT, scons
from sffi.symbols import exports, scan

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
KIT = ROOT / "build" / "release" / "sel" / "core+sqlite" / "hostkit"
OUT = ROOT / "build" / "test-hosts"


@pytest.fixture(scope="module")
def kit() -> Path:
    (ROOT / "build").mkdir(exist_ok=True)
    with open(ROOT / "build" / ".test-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        scons(["hostkit", "--with=sqlite", "-j2"])
    return KIT


def host_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SFFI_HOST_UNSET"}
    env.pop("SFFI_HOST_DEMO", None)
    return env


def run_host(binary: Path) -> str:
    proc = subprocess.run([str(binary), str(HERE / "declarations.txt")], capture_output=True, text=True,
                          timeout=60, env=host_env())
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_kit_holds_what_a_host_needs(kit):
    doc = json.loads((kit / "hostkit.json").read_text())
    assert doc["format"] == "sffi-hostkit/1" and doc["libraries"] == ["core", "sqlite"]
    for rel in ("include/sffi_abi.h", "include/sffi_table.h", "include/sffi_host.h", "lib/libsffi_host.a",
                "lib/pkgconfig/sffi-host.pc", "rust/sffi_table.rs", "rust/cargo.txt", "rust/build.rs",
                "link.txt", "sffi_table.json"):
        assert rel in doc["files"] and (kit / rel).is_file(), rel
    table = json.loads((kit / "sffi_table.json").read_text())
    assert doc["externs"] == len(table["entries"]) > 20
    # Every extern of the table, the error hook and the Rust std the sqlite crate needs are in the one archive.
    # readelf -s over every member (binutils) is the oracle; sffi's scanner must read the same
    defined = elforacle.exported(kit / "lib" / "libsffi_host.a")
    assert {s.name for s in exports(scan(kit / "lib" / "libsffi_host.a"))} == defined
    missing = [e["name"] for e in table["entries"] if e["name"] not in defined]
    assert not missing
    assert {"sffi_set_error", "sffi_host_call", "sffi_host_find", "sqlite3_open_v2", "rust_eh_personality"} <= defined
    # Link order: system libraries, then Rust's native libs, as rustc reported them.
    after = doc["link_after_archive"]
    assert after.index("-lz") < after.index("-lgcc_s") and after[-1] == "-lc"


def test_rust_host_prints_expected(kit):
    target = OUT / "rust"
    proc = subprocess.run(["cargo", "build", "--offline", "--quiet", "--manifest-path",
                           str(HERE / "rust" / "Cargo.toml"), "--target-dir", str(target)],
                          capture_output=True, text=True, timeout=600, env={**host_env(), "SFFI_HOSTKIT": str(kit)})
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr, proc.stderr  # the generated module compiles clean
    out = run_host(target / "debug" / "rust-host")
    assert out == (HERE / "expected.txt").read_text()
    # kit::bind refuses a declaration whose signature differs, showing both; the catalog names torch.
    assert ("extern function rt_sqlite_open does not match the host kit's table\n"
            "  declared here:     (i64) -> i64\n"
            "  table provides:    (text) -> i64  (FFI library 'sqlite')\n") in out
    assert "provided by FFI library 'torch' as () -> bool" in out


def test_cpp_host_prints_expected(kit):
    OUT.mkdir(parents=True, exist_ok=True)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "sffi-host"], capture_output=True, text=True,
                           check=True, env={**os.environ, "PKG_CONFIG_PATH": str(kit / "lib" / "pkgconfig")}).stdout
    binary = OUT / "cpp-host"
    proc = subprocess.run([os.environ.get("CXX", "c++"), "-std=c++17", "-Wall", "-Wextra", "-Werror",
                           str(HERE / "cpp" / "host.cpp"), "-o", str(binary), *flags.split()],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert run_host(binary) == (HERE / "expected.txt").read_text()


def test_c_host_links_with_link_txt(kit, tmp_path):
    """link.txt alone links a C program that finds an extern and takes a library's error."""
    src = tmp_path / "host.c"
    src.write_text('#include <stdio.h>\n#include "sffi_host.h"\n'
                   "int main(void) {\n"
                   '    const sffi_entry *e = sffi_host_find("rt_sqlite_exec");\n'
                   '    sffi_value a[2] = {{.i64 = 12345}, {.text = "SELECT 1"}}, r;\n'
                   '    int rc = sffi_host_call(e, a, &r);\n'
                   '    printf("%s %s %d %s\\n", e->library, e->signature, rc, sffi_host_error());\n'
                   '    printf("%s\\n", sffi_host_catalog_find("rt_torch_available")->library);\n'
                   "    return 0;\n}\n")
    link = (kit / "link.txt").read_text().split()
    proc = subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-Wall", "-Werror", f"-I{kit / 'include'}",
                           str(src), "-o", str(tmp_path / "host"), *link], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    out = subprocess.run([str(tmp_path / "host")], capture_output=True, text=True, timeout=30).stdout.splitlines()
    assert out[0] == "sqlite (i64, text) -1 rt_sqlite_exec: unknown database handle 12345"
    assert out[1] == "torch"


def test_docs_quote_the_rust_adapter_in_full():
    """docs/hostkit.md shows the example's adapter as it is in the file (it compiles and runs above)."""
    source = (HERE / "rust" / "src" / "main.rs").read_text()
    start = source.index("// ---- the adapter")
    end = source.index("// ---- end of the adapter ----") + len("// ---- end of the adapter ----\n")
    assert source[start:end] in (ROOT / "docs" / "hostkit.md").read_text()
