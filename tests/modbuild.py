"""Build small, hand-written FFI modules for the module tests (docs/modules.md).

``build_module`` does what ``scons --modules`` does for a C library, with the
machine's ``cc``: the library's sources compiled ``-fPIC`` with its generated
prototype header force-included, the generated module table
(sffi.module_table) compiled beside them, both linked into
``libsffi_<lib>.so``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from sffi import decls, module_table, table

ROOT = Path(__file__).resolve().parents[1]
INCLUDE = ROOT / "runtime" / "include"
CC = shutil.which("cc") or shutil.which("gcc")

DEMO_DECLS = """\
extern fn rt_demo_add(a: i64, b: i64) -> i64
extern fn rt_demo_half(x: f64) -> f64
extern fn rt_demo_greet(name: text) -> text
extern fn rt_demo_pair(x: i64) -> (i64, text)
extern fn rt_demo_fail(msg: text) -> i64
"""

DEMO_C = """\
#include <stdio.h>
int64_t rt_demo_add(int64_t a, int64_t b) { return a + b; }
double rt_demo_half(double x) { return x / 2; }
const char *rt_demo_greet(const char *n)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "hello, %s", n);
    return buf;
}
sffi_tuple_i64_text rt_demo_pair(int64_t x) { sffi_tuple_i64_text t = {x * 2, "pair"}; return t; }
int64_t rt_demo_fail(const char *m) { sffi_set_error(m); return 0; }
"""


def run(cmd: list[str]) -> str:
    """Run ``cmd``; fail the test with its output if it fails."""
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def build_module(out_dir: Path, lib: str, declarations: str, source: str, *, work: Path,
                 abi_version: int | None = None, link: tuple[str, ...] = ()) -> Path:
    """Build ``out_dir/libsffi_<lib>.so`` from declarations text and C source.

    Args:
        work: a scratch directory for the intermediate files.
        abi_version: the ABI version the module claims (default: this sffi's).
        link: extra link arguments (``-L``, ``-l``, ``-Wl,-rpath,...``).

    Returns:
        The module's path.
    """
    src = work / lib
    src.mkdir(parents=True, exist_ok=True)
    (src / f"{lib}.spl").write_text(declarations)
    (src / f"{lib}.c").write_text(source)
    found, _ = decls.parse_files([src / f"{lib}.spl"])
    library = table.LibraryDecls(lib, found)
    facts = module_table.facts(library, build_id="test",
                               **({"abi_version": abi_version} if abi_version is not None else {}))
    (src / "proto.h").write_text(table.generate_prototypes(library))
    (src / "module.c").write_text(module_table.generate_c(library, facts))
    flags = ["-std=c11", "-fPIC", "-Wall", "-Wextra", "-Werror", f"-I{INCLUDE}"]
    run([CC, *flags, "-include", src / "proto.h", "-c", src / f"{lib}.c", "-o", src / f"{lib}.o"])
    run([CC, *flags, "-c", src / "module.c", "-o", src / "module.o"])
    out_dir.mkdir(parents=True, exist_ok=True)
    module = out_dir / f"libsffi_{lib}.so"
    run([CC, "-shared", "-Wl,-z,now", "-o", module, src / f"{lib}.o", src / "module.o", *link])
    return module


def build_shared(path: Path, source: str, work: Path) -> Path:
    """A plain shared library (a module's dependency) from C source."""
    c = work / (path.stem + ".c")
    c.write_text(source)
    path.parent.mkdir(parents=True, exist_ok=True)
    run([CC, "-shared", "-fPIC", "-o", path, c])
    return path
