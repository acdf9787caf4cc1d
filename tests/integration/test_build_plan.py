"""What the build plan promises, end to end in a temporary copy of the project:

* a new C library added as the README's "Adding an FFI library" says builds,
  checks, links and runs;
* an external dependency's headers are not scanned on every run, yet an upgrade
  of the package (another version from pkg-config) recompiles what uses it.
"""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from buildhelp import ROOT, scons

IGNORE = shutil.ignore_patterns("build", ".venv", ".git", "__pycache__", ".pytest_cache", "target", "Cargo.lock")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("plan") / "sffi"
    shutil.copytree(ROOT, dest, ignore=IGNORE)
    return dest


def build(project, *args):
    return scons(["runtime", "-j2", *args], cwd=project)


def compiled(output: str) -> list[str]:
    return [line.split()[1] for line in output.splitlines() if line.strip().split(" ")[0] in ("CC", "CXX", "LINK")]


def run_script(binary: Path, script: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), str(script)], capture_output=True, text=True, timeout=60)


def test_adding_a_c_library_as_the_readme_says(project, tmp_path):
    lib = project / "ffi_libs/greet"
    (lib / "src").mkdir(parents=True)
    # 1. the manifest; 2. the Tier-2 declarations; 3. the exports, errors through sffi_set_error
    (lib / "sffi.toml").write_text('name = "greet"\nprefix = "rt_greet_"\nkind = "c"\n'
                                   'description = "a greeting"\ndeclarations = ["greet.spl"]\nsources = ["src/*.c"]\n')
    (lib / "greet.spl").write_text("extern fn rt_greet_twice(n: i64) -> i64\n")
    (lib / "src/greet.c").write_text(textwrap.dedent("""\
        #include "sffi_abi.h"
        int64_t rt_greet_twice(int64_t n) {
            if (n < 0) { sffi_set_error("rt_greet_twice: n must not be negative"); return 0; }
            return 2 * n;
        }
        """))
    # 4. `scons runtime --with=<name>` builds, checks and links it
    out = build(project, "--with=greet").stdout
    assert "CHECK   greet: 1 externs exported by build/release/libs/greet/libsffi_greet.a" in out
    assert "runtime: build/release/sel/core+greet/simple" in out
    script = tmp_path / "greet.spl"
    script.write_text("extern fn rt_greet_twice(n: i64) -> i64\nprint rt_greet_twice(21)\n")
    proc = run_script(project / "build/bin/simple", script)
    assert (proc.returncode, proc.stdout) == (0, "42\n"), proc.stderr
    script.write_text("extern fn rt_greet_twice(n: i64) -> i64\nprint rt_greet_twice(-1)\n")
    proc = run_script(project / "build/bin/simple", script)
    assert proc.returncode != 0 and "n must not be negative" in proc.stderr
    # ... and `sffi check ffi_libs/<name>` reports declared against exported
    check = subprocess.run([sys.executable, "-m", "sffi", "check", "ffi_libs/greet"], cwd=project,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "rt_greet_twice" in check.stdout


def write_package(pc_dir: Path, version: str, value: int) -> None:
    """A pkg-config package `sffidep` whose header says `value`."""
    include = pc_dir / "include"
    include.mkdir(parents=True, exist_ok=True)
    (include / "sffidep.h").write_text(f"#define SFFIDEP_VALUE {value}\n")
    (pc_dir / "sffidep.pc").write_text(f"prefix={pc_dir}\nName: sffidep\nDescription: test package\n"
                                       f"Version: {version}\nCflags: -I${{prefix}}/include\nLibs:\n")


def test_an_upgraded_dependency_recompiles_what_uses_it(project, tmp_path, monkeypatch):
    pc_dir = tmp_path / "pkgconfig"
    write_package(pc_dir, "1.0", 1)
    monkeypatch.setenv("PKG_CONFIG_PATH", str(pc_dir))
    lib = project / "ffi_libs/uses"
    (lib / "src").mkdir(parents=True)
    (lib / "sffi.toml").write_text('name = "uses"\nprefix = "rt_uses_"\nkind = "c"\ndeclarations = ["uses.spl"]\n'
                                   'sources = ["src/*.c"]\n[[dependency]]\npkg-config = "sffidep"\n')
    (lib / "uses.spl").write_text("extern fn rt_uses_value() -> i64\n")
    (lib / "src/uses.c").write_text('#include <sffidep.h>\n#include "sffi_abi.h"\n'
                                    "int64_t rt_uses_value(void) { return SFFIDEP_VALUE; }\n")
    script = tmp_path / "value.spl"
    script.write_text("extern fn rt_uses_value() -> i64\nprint rt_uses_value()\n")
    out = build(project, "--with=uses").stdout
    assert "DEP     uses: sffidep 1.0" in out
    assert run_script(project / "build/bin/simple", script).stdout == "1\n"
    # the package's headers are not dependencies SCons scans: an up-to-date run does not read them
    assert compiled(build(project, "--with=uses").stdout) == []
    # an upgrade: pkg-config reports another version (and the header changed with it)
    write_package(pc_dir, "2.0", 2)
    out = build(project, "--with=uses").stdout
    assert "build/release/libs/uses/obj/src/uses.o" in compiled(out)
    assert "build/release/sel/core+uses/simple" in compiled(out)
    assert run_script(project / "build/bin/simple", script).stdout == "2\n"
