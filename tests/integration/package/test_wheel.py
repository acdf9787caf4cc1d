"""sffi as a package other projects use: a built wheel, installed (not editable) into a fresh
virtual environment, gives the `sffi` command and the `sffi` SCons tool, which builds outside
projects in a temporary directory: tests/integration/package/outside (one C library, a C host and a Rust
host) and tests/integration/package/mixed (a Rust crate, a C library with a pkg-config dependency, a C host).

The fresh environment gets sffi from the wheel only; its dependencies (SCons, pyelftools,
LIEF, ...) come from the test's own environment through a path entry (a ``.pth`` line),
which adds their directory but does not run that environment's own ``.pth`` files, so the
editable sffi of the checkout stays out. Building the wheel fetches setuptools (build
isolation): PyPI must be reachable.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from buildhelp import ROOT

pytestmark = pytest.mark.slow

OUTSIDE = Path(__file__).parent / "outside"
MIXED = Path(__file__).parent / "mixed"
CHECKOUT = Path(__file__).parent / "checkout"


#: The environment of every command: no PYTHONPATH, which would bring a checkout's sffi back in.
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def run(*cmd, cwd=None, timeout=600) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=CLEAN_ENV)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh virtual environment with the sffi wheel installed; returns its python."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # a copy: setuptools writes build/ and *.egg-info next to pyproject.toml
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):  # setup.py: the C extension
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "runtime" / "include", src / "runtime" / "include")
    for name in ("sffi_error.c", "sffi_error.h"):  # the host kit's links to the runtime's sffi_set_error
        (src / "runtime" / "src").mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / "runtime" / "src" / name, src / "runtime" / "src" / name)
    shutil.copytree(ROOT / "site_scons", src / "site_scons", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.so"))  # built afresh
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp / "dist", src)
    wheel = next((tmp / "dist").glob("sffi-*.whl"))
    env = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", env)
    python = env / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel)
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip()
    Path(purelib, "sffi-test-deps.pth").write_text("".join(p + "\n" for p in site.getsitepackages()))
    return python


def test_wheel_is_installed_not_editable(venv):
    where = run(venv, "-c", "import sffi, sffi.hostkit.kit as k; print(sffi.__file__); print(k.HOST_C)").stdout.split()
    prefix = str(venv.parent.parent)
    assert all(p.startswith(prefix) for p in where), where  # not the checkout's site_scons
    assert Path(where[1]).is_file()
    headers = Path(where[0]).parent / "hostkit" / "include"
    assert (headers / "sffi_abi.h").read_text() == (ROOT / "runtime" / "include" / "sffi_abi.h").read_text()
    assert not (headers / "sffi_abi.h").is_symlink()
    hook = Path(where[1]).parent / "sffi_error.c"  # sffi_set_error(), the runtime's own, shipped as a copy
    assert hook.read_text() == (ROOT / "runtime" / "src" / "sffi_error.c").read_text() and not hook.is_symlink()
    assert (hook.parent / "sffi_error.h").read_text() == (ROOT / "runtime" / "src" / "sffi_error.h").read_text()


def test_wheel_holds_the_tools_and_the_detectors(venv):
    """The builders (sffi.tools) and the dependency detectors (sffi.toolchain) come from the wheel
    (run outside the checkout: `python -c` puts its directory first on the path), and the wheel
    puts no package of another name into site-packages."""
    where = run(venv, "-c", "import sffi.tools, sffi.toolchain.pkgconfig; from sffi import toolchain; "
                "print(sffi.tools.TOOLPATH); print(toolchain.__file__)", cwd=venv.parent).stdout.split()
    site = Path(where[1]).parents[2]
    assert not (site / "toolchain").exists()
    prefix = str(venv.parent.parent)
    assert all(p.startswith(prefix) for p in where), where
    assert {"sffi_rules.py", "cargo.py", "sffi_matrix.py"} <= {p.name for p in Path(where[0]).iterdir()}


def test_wheel_holds_the_c_extension(venv):
    """sffi.symbols._symtab, compiled by the wheel build, is in the wheel and in use."""
    where = run(venv, "-c", "from sffi.symbols import _symtab, symtab; assert symtab._symtab is _symtab; "
                "print(_symtab.__file__)").stdout.strip()
    assert where.startswith(str(venv.parent.parent)) and where.endswith(".so"), where


def test_outside_project_through_the_scons_tool(venv, tmp_path):
    project = tmp_path / "outside"
    shutil.copytree(OUTSIDE, project)
    build = run(venv, "-m", "SCons", "-Q", cwd=project)
    assert "CHECK   greet: 4 externs exported by" in build.stdout
    host = run(project / "build" / "host").stdout
    assert host == ("hello, outside\nrt_greet_sum ([i64]) -> i64 = 42\n"
                    "rt_greet_fail raised: on purpose\nunknown: not in the table\n")
    kit = project / "build" / "sffi" / "hostkit"
    doc = json.loads((kit / "hostkit.json").read_text())
    assert doc["libraries"] == ["greet"] and doc["externs"] == 4
    assert "pub fn bind(" in (kit / "rust" / "sffi_table.rs").read_text()
    rust_host(project, kit)
    # Up to date on a second run: nothing rebuilt.
    again = run(venv, "-m", "SCons", "-Q", cwd=project)
    assert "TABLE" not in again.stdout and "gcc" not in again.stdout


def rust_host(project: Path, kit: Path) -> None:
    """A Rust host built by rustc alone on the kit's module: array arguments, errors, refusals."""
    if shutil.which("rustc") is None:
        pytest.fail("rustc is installed by scripts/bootstrap (cargo)")
    binary = project / "build" / "rust-host"
    proc = subprocess.run(["rustc", "--edition", "2021", "-D", "warnings", str(project / "host" / "main.rs"),
                           "-o", str(binary), "-L", str(kit / "lib"), "-l", "static=sffi_host"],
                          capture_output=True, text=True, timeout=300,
                          env={**CLEAN_ENV, "SFFI_TABLE_RS": str(kit / "rust" / "sffi_table.rs")})
    assert proc.returncode == 0, proc.stderr
    assert run(binary).stdout == (project / "host" / "expected-rust.txt").read_text()


def test_sffi_command_from_the_wheel(venv, tmp_path):
    project = tmp_path / "outside"
    shutil.copytree(OUTSIDE, project)
    run(venv, "-m", "SCons", "-Q", cwd=project)
    sffi = venv.parent / "sffi"
    lib = project / "ffi_libs" / "greet"
    archive = project / "build" / "sffi" / "release" / "libs" / "greet" / "libsffi_greet.a"
    checked = run(sffi, "check", lib, "--lib", archive)
    assert "rt_greet_sum" in checked.stdout
    decls = json.loads(run(sffi, "decls", lib / "greet.spl", "--json").stdout)
    assert "rt_greet_hello" in json.dumps(decls)
    run(sffi, "table", lib, "--c", tmp_path / "t.c", "--json", tmp_path / "t.json")
    assert len(json.loads((tmp_path / "t.json").read_text())["entries"]) == 4
    symbols = run(sffi, "symbols", archive).stdout
    assert "rt_greet_fail" in symbols


def test_a_cargo_crate_and_a_pkg_config_dependency_through_the_scons_tool(venv, tmp_path, build_runtime):
    """Kind cargo (the umbrella staticlib) and a [[dependency]] table (pkg-config sqlite3), planned
    by the tool from the wheel, checked, tabled and linked into a C host through the kit, and built
    as loadable modules that this repository's core-only runtime loads and calls."""
    project = tmp_path / "mixed"
    shutil.copytree(MIXED, project)
    build = run(venv, "-m", "SCons", "-Q", cwd=project)
    assert "DEP     store: sqlite3 " in build.stdout and "from pkg-config sqlite3" in build.stdout
    assert "CHECK   tally: 2 externs exported by" in build.stdout
    assert "CHECK   store: 2 externs exported by" in build.stdout
    host = run(project / "build" / "host").stdout
    assert host == ("rt_tally_add (i64, i64) -> i64 = 42\nrt_tally_mean ([f64]) -> f64 = 3\n"
                    "rt_store_eval = 42\nrt_store_major = 3\n"
                    'rt_store_eval raised: near "SELEKT": syntax error\n')
    kit = project / "build" / "sffi" / "hostkit"
    doc = json.loads((kit / "hostkit.json").read_text())
    assert doc["libraries"] == ["store", "tally"] and doc["externs"] == 4
    assert "-lsqlite3" in (kit / "link.txt").read_text()
    modules = project / "build" / "sffi" / "release" / "modules"
    script = project / "uses_modules.spl"
    script.write_text("extern fn rt_store_major() -> i64\nextern fn rt_store_eval(sql: text) -> i64\n"
                      "extern fn rt_tally_add(a: i64, b: i64) -> i64\n"
                      'print rt_store_major()\nprint rt_store_eval("SELECT 6 * 7")\nprint rt_tally_add(40, 2)\n')
    ffi_path = f"{modules / 'store'}{os.pathsep}{modules / 'tally'}"
    used = subprocess.run([str(build_runtime("none")), str(script)], capture_output=True, text=True, timeout=60,
                          env={**CLEAN_ENV, "SIMPLE_FFI_PATH": ffi_path})
    assert (used.returncode, used.stdout, used.stderr) == (0, "3\n42\n42\n", "")
    again = run(venv, "-m", "SCons", "-Q", cwd=project)
    assert "TABLE" not in again.stdout and "CARGO" not in again.stdout and "gcc" not in again.stdout


def test_a_simple_checkout_links_its_runtime_through_the_scons_tool(venv, tmp_path):
    """A checkout holding Simple's runtime and core library beside its own libraries (the mixed
    project's Rust crate and C library with a pkg-config dependency): the tool, from the wheel,
    builds the three, checks them and statically links them into the checkout's runtime, which
    runs a script calling an extern of each; a second build is up to date."""
    project = tmp_path / "checkout"
    shutil.copytree(ROOT / "runtime", project / "runtime")
    shutil.copytree(ROOT / "ffi_libs" / "core", project / "ffi_libs" / "core")
    for lib in ("store", "tally"):
        shutil.copytree(MIXED / "ffi_libs" / lib, project / "ffi_libs" / lib)
    shutil.copy(CHECKOUT / "SConstruct", project / "SConstruct")
    build = run(venv, "-m", "SCons", "-Q", cwd=project)
    assert "CHECK   tally: 2 externs exported by" in build.stdout
    assert "table entries defined" in build.stdout and "INSTALL build/sffi/bin/simple" in build.stdout
    simple = project / "build" / "sffi" / "bin" / "simple"
    script = project / "calls.spl"
    script.write_text("extern fn rt_store_eval(sql: text) -> i64\nextern fn rt_tally_add(a: i64, b: i64) -> i64\n"
                      "extern fn rt_path_join(a: text, b: text) -> text\n"
                      'print rt_store_eval("SELECT 6 * 7")\nprint rt_tally_add(40, 2)\nprint rt_path_join("a", "b")\n')
    assert run(simple, script).stdout == "42\n42\na/b\n"
    externs = run(simple, "--externs").stdout.splitlines()
    assert any(line.split()[:2] == ["rt_tally_add", "tally"] for line in externs)
    assert any(line.split()[:2] == ["rt_store_eval", "store"] for line in externs)
    assert "is up to date" in run(venv, "-m", "SCons", "-Q", cwd=project).stdout


def test_a_missing_dependency_is_refused_with_the_fix(venv, tmp_path):
    project = tmp_path / "outside"
    shutil.copytree(OUTSIDE, project)
    manifest = project / "ffi_libs" / "greet" / "sffi.toml"
    manifest.write_text(manifest.read_text() + '\n[[dependency]]\npkg-config = "sffi-no-such-package"\n'
                        'install = "apt-get install sffi-no-such-package-dev"\n')
    proc = subprocess.run([venv, "-m", "SCons", "-Q"], cwd=project, capture_output=True, text=True, timeout=120,
                          env=CLEAN_ENV)
    assert proc.returncode != 0
    assert "sffi-no-such-package" in proc.stderr and "apt-get install sffi-no-such-package-dev" in proc.stderr
    assert "greet" in proc.stderr and "Traceback" not in proc.stderr
