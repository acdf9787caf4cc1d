"""Each compile line carries each flag once (issue 25): sffi.plan.flags, the library
environments the plan gives (libtorch's flags from its real detector code, no compiler),
and the line SCons assembles for a torch library (``scons -n --verbose``, nothing compiled)."""

from __future__ import annotations

import collections
import shlex
import shutil

import pytest

from sffi import toolchain
from buildhelp import ROOT, scons
from sffi.plan import flags, kinds, layout
from sffi.plan.kinds import library_env
from sffi.toolchain import libtorch

from test_plan import planner_for, project, write_lib  # noqa: F401 - the fixture is used by name


def test_units_join_an_option_and_its_argument_in_both_spellings():
    assert flags.unique(["-isystem/x", "-O2", "-isystem", "/x", "-O2", "-include", "a.h", "-include", "b.h"]) == \
        ["-isystem/x", "-O2", "-include", "a.h", "-include", "b.h"]
    assert flags.unique(["-DNDEBUG", "-D", "NDEBUG", "-std=c++20"], {("", "-std=c++20")}) == ["-DNDEBUG"]
    assert flags.unique(["-I", "/a", "-I/b", "-isystem"]) == ["-I", "/a", "-I/b", "-isystem"]  # a bare option kept


def _words_once(line: list[str]) -> collections.Counter:
    """How often each unit of ``line`` appears (1 everywhere when each flag is carried once)."""
    return collections.Counter(key for key, _ in flags.units(line))


def test_torch_library_env_carries_each_flag_once(project, tmp_path):
    """libtorch's detector names its include directories as cpppath and as joined -isystem
    flags, and -std=c++20, which the torch manifest's [build] cxxflags says again."""
    include, lib = tmp_path / "torch" / "include", tmp_path / "torch" / "lib"
    (include / "torch" / "csrc" / "api" / "include").mkdir(parents=True)
    lib.mkdir()
    found = libtorch._found(include, lib, "2.13.0", "a test tree")
    assert any(f.startswith("-isystem") and f != "-isystem" for f in found.cxxflags)  # the case to fold
    write_lib(project, "tt", "cxx", sources=("src/t.cpp",))
    m = planner_for(project).known["tt"]
    m = type(m)(**{**m.__dict__, "cxxflags": ("-std=c++20", "-O2")})  # the torch manifest's
    spec = library_env(m, [found], "build/release/libs/tt/sffi_exports_tt.h")
    line = spec.append["CXXFLAGS"] + spec.append["CCFLAGS"]
    counts = _words_once(line)
    assert max(counts.values()) == 1, counts
    assert ("-isystem", str(include.resolve())) in counts and ("", "-std=c++20") in counts


def _torch_found():
    try:
        return toolchain.find("detector", "libtorch", False, "")
    except toolchain.DependencyMissing as exc:
        pytest.skip(f"libtorch not available: {exc}")


IGNORE = shutil.ignore_patterns(layout.BUILD_ROOT, ".venv", ".git", "__pycache__", ".pytest_cache", "target", "Cargo.lock")


def test_scons_torch_compile_line_has_each_flag_once(tmp_path):
    """The real assembly, base environment included (-O2 of release and of the manifest),
    read from ``scons -n --verbose`` in a copy with nothing built: nothing is compiled."""
    _torch_found()
    copy = tmp_path / "sffi"
    shutil.copytree(ROOT, copy, ignore=IGNORE)
    proc = scons(["-n", "--verbose", "ffi", "--with=torch", "--mode=release"], cwd=copy)
    lines = [shlex.split(x) for x in proc.stdout.splitlines() if x.startswith("c++ ") and " -c " in x
             and "/libs/torch/" in x]
    assert lines, proc.stdout[-3000:]
    for words in lines:
        counts = _words_once(words[1:])
        assert max(counts.values()) == 1, (words, [k for k, n in counts.items() if n > 1])
        assert ("", "-std=c++20") in counts and ("", "-O2") in counts


def test_kind_and_flags_modules_stay_plain_python():
    assert not hasattr(kinds, "SCons") and not hasattr(flags, "SCons")


def test_a_real_verbose_build_carries_each_flag_once(tmp_path):
    """One real build of a cheap library (core, C) with --verbose: every compile line it ran."""
    copy = tmp_path / "sffi"
    shutil.copytree(ROOT, copy, ignore=IGNORE)
    proc = scons(["--verbose", "ffi", "--with=none", "-j2"], cwd=copy)
    lines = [shlex.split(x) for x in proc.stdout.splitlines() if x.split(" ")[0] in ("cc", "c++") and " -c " in x]
    assert any("/libs/core/" in " ".join(w) for w in lines), proc.stdout[-3000:]
    for words in lines:
        counts = _words_once(words[1:])
        assert max(counts.values()) == 1, (words, [k for k, n in counts.items() if n > 1])
    assert (copy / layout.Layout("release").archive("core")).is_file()
