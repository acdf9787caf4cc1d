"""ABI v2 results (tuples, optionals, the new scalars) through the host kit's Rust module.

Self-contained: a C library (tests/sffi/hostkit/v2) compiled with its generated prototype
header, the generated table and the kit's error hook combined into one archive by
sffi.hostkit.kit, and a Rust program built by rustc alone on the generated module.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from sffi import decls, table
from sffi.hostkit import kit, rust_module

HERE = Path(__file__).parent / "v2"


def sh(*cmd, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=300, **kw)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}:\n{proc.stderr}"
    return proc


def test_tuples_and_optionals_reach_a_rust_host(tmp_path):
    found, _ = decls.parse_files([HERE / "v2.spl"])
    lib = table.LibraryDecls("v2", found)
    (tmp_path / "proto.h").write_text(table.generate_prototypes(lib))
    (tmp_path / "table.c").write_text(table.generate_c([lib], []))
    cc, inc = os.environ.get("CC", "cc"), ["-I", kit.ABI_INCLUDE, "-I", kit.HOST_H.parent]
    sh(cc, "-std=c11", "-Wall", "-Werror", *inc, "-include", tmp_path / "proto.h", "-c", HERE / "v2.c",
       "-o", tmp_path / "v2.o")
    sh(cc, "-std=c11", "-Wall", "-Werror", *inc, "-c", tmp_path / "table.c", "-o", tmp_path / "table.o")
    sh(cc, "-std=c11", "-Wall", "-Werror", *inc, "-c", kit.HOST_C, "-o", tmp_path / "host.o")
    sh(cc, "-std=c11", "-Wall", "-Werror", *inc, "-c", kit.ERROR_C, "-o", tmp_path / "error.o")
    kit.combine_archives(tmp_path / "libsffi_host.a", [tmp_path / "table.o", tmp_path / "host.o", tmp_path / "error.o",
                                                       tmp_path / "v2.o"], [])
    (tmp_path / "sffi_table.rs").write_text(rust_module.generate())
    sh("rustc", "--edition", "2021", "-D", "warnings", HERE / "main.rs", "-o", tmp_path / "host",
       "-L", tmp_path, "-l", "static=sffi_host", env={**os.environ, "SFFI_TABLE_RS": str(tmp_path / "sffi_table.rs")})
    assert sh(tmp_path / "host").stdout == (HERE / "expected.txt").read_text()
