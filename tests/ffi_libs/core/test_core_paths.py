"""core's path externs (issue 26): join and normalize against Python's os.path; parent,
filename and extension against Rust's std::path results (Simple's interpreter calls
Path::parent / file_name / extension), written out here from Rust's documented rules."""

from __future__ import annotations

import os.path

import pytest

from corestd import lines

PATHS = ["", "/", "a", "a/", "/a", "a/b", "a/b/", "a//b", "/a/b.txt", "./a", "a/./b", "a/..", "..", ".",
         "a.tar.gz", ".bashrc", "a.", "dir/.hidden", "x/y.z/w", "//a//b//", "a/b/../c", "../../x", "/../a",
         "//x/y", "///x", "a/.", "ü/ñ.é"]
# Rust: Path::new(p).parent(), .file_name(), .extension(); None written as "". One
# deliberate difference: a parent is rebuilt from the components, so repeated
# separators collapse ("//a//b//" -> "/a", where Rust returns the slice "//a").
RUST = {
    "": ("", "", ""), "/": ("", "", ""), "a": ("", "a", ""), "a/": ("", "a", ""), "/a": ("/", "a", ""),
    "a/b": ("a", "b", ""), "a/b/": ("a", "b", ""), "a//b": ("a", "b", ""), "/a/b.txt": ("/a", "b.txt", "txt"),
    "./a": (".", "a", ""), "a/./b": ("a", "b", ""), "a/..": ("a", "", ""), "..": ("", "", ""), ".": ("", "", ""),
    "a.tar.gz": ("", "a.tar.gz", "gz"), ".bashrc": ("", ".bashrc", ""), "a.": ("", "a.", ""),
    "dir/.hidden": ("dir", ".hidden", ""), "x/y.z/w": ("x/y.z", "w", ""), "//a//b//": ("/a", "b", ""),
    "a/b/../c": ("a/b/..", "c", ""), "../../x": ("../..", "x", ""), "/../a": ("/..", "a", ""),
    "//x/y": ("/x", "y", ""), "///x": ("/", "x", ""), "a/.": ("", "a", ""), "ü/ñ.é": ("ü", "ñ.é", "é"),
}


def _run(runtime, tmp_path, exprs):
    body = "".join(f'print "[" + {e} + "]"\n' for e in exprs)
    return [line[1:-1] for line in lines(runtime, body, tmp_path)]


def test_parent_filename_extension_as_rust(simple_runtime, tmp_path):
    exprs = []
    for p in PATHS:
        exprs += [f'rt_path_parent("{p}")', f'rt_path_dirname("{p}")', f'rt_path_filename("{p}")',
                  f'rt_path_basename("{p}")', f'rt_path_extension("{p}")', f'rt_path_ext("{p}")']
    out = _run(simple_runtime, tmp_path, exprs)
    for i, p in enumerate(PATHS):
        parent, name, ext = RUST[p]
        assert out[6 * i:6 * i + 6] == [parent, parent, name, name, ext, ext], p


@pytest.mark.parametrize("fn, oracle", [("rt_path_normalize", os.path.normpath)])
def test_normalize_against_normpath(simple_runtime, tmp_path, fn, oracle):
    out = _run(simple_runtime, tmp_path, [f'{fn}("{p}")' for p in PATHS])
    assert out == [oracle(p) for p in PATHS]


def test_join_against_os_path_join(simple_runtime, tmp_path):
    pairs = [(a, b) for a in ["", "a", "a/", "/r", "/"] for b in ["", "b", "/abs", "b/c", "../d"]]
    out = _run(simple_runtime, tmp_path, [f'rt_path_join("{a}", "{b}")' for a, b in pairs])
    assert out == [os.path.join(a, b) for a, b in pairs]


def test_separator(simple_runtime, tmp_path):
    assert _run(simple_runtime, tmp_path, ["rt_path_separator()"]) == [os.sep]
