"""core's directory externs (issue 26) against Python's os.walk, glob and os.listdir."""

from __future__ import annotations

import glob
import os

from corestd import lines


def _tree(root):
    for d in ["a/b/c", "a/e", "z", "empty"]:
        (root / d).mkdir(parents=True, exist_ok=True)
    for f in ["a/x.spl", "a/b/y.txt", "a/b/c/z.spl", "a/e/.hidden.spl", "top.spl", "z/noext"]:
        (root / f).write_text(f)
    os.symlink("a", root / "link_to_a")  # listed, not followed


def _walk_oracle(root, top):
    found = []
    for dirpath, dirnames, filenames in os.walk(root / top):
        found += [os.path.join(dirpath, n) for n in filenames]
        found += [os.path.join(dirpath, n) for n in dirnames if os.path.islink(os.path.join(dirpath, n))]
    return sorted(os.path.relpath(p, root) for p in found)


def test_create_and_remove(simple_runtime, tmp_path):
    (tmp_path / "file").write_text("")
    out = lines(simple_runtime, """
print rt_dir_create("one", false)
print rt_dir_create("one", false)
print rt_dir_create("one", true)
print rt_dir_create("p/q/r", false)
print rt_dir_create("p/q/r", true)
print rt_dir_create_all("s/t")
print rt_dir_create_all("file/under")
print rt_dir_delete("p")
print rt_dir_delete("p/q/r")
print rt_dir_remove("p", false)
print rt_dir_remove("p", true)
print rt_dir_remove("file", true)
print rt_dir_remove("s/t", false)
print rt_dir_exists("one")
print rt_dir_exists("file")
""", tmp_path)
    assert out == ["true", "false", "true", "false", "true", "true", "false", "false", "true", "false", "true",
                   "false", "true", "true", "false"]
    assert sorted(os.listdir(tmp_path)) == ["file", "one", "s", "t.spl"]


def test_remove_all_removes_a_tree_but_not_through_links(simple_runtime, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_text("keep")
    work = tmp_path / "work"
    _tree(work)
    os.symlink(outside, work / "a" / "to_outside")
    out = lines(simple_runtime, """
print rt_dir_remove_all("a")
print rt_dir_remove_all("a")
print rt_dir_remove_all("top.spl")
print rt_dir_remove_all("/")
print rt_dir_remove_all("/tmp")
print rt_dir_remove_all(rt_env_home())
""", work, env={**os.environ, "HOME": str(tmp_path / "outside")})
    assert out == ["true", "false", "false", "false", "false", "false"]
    assert not (work / "a").exists() and (outside / "precious").read_text() == "keep"


def test_walk_and_find_by_extension_against_os_walk(simple_runtime, tmp_path):
    _tree(tmp_path)
    out = lines(simple_runtime, """
for p in rt_dir_walk("a"):
    print p
print "--"
for p in rt_dir_walk("."):
    print p
print "--"
for p in rt_list_dir_recursive(".", "spl"):
    print p
print "--"
print rt_list_dir_recursive("a", ".spl") == rt_list_dir_recursive("a", "spl")
print len(rt_dir_walk("missing"))
print len(rt_dir_walk("top.spl"))
""", tmp_path)
    first, everything, spl, rest = "\n".join(out).split("\n--\n")
    assert first.splitlines() == _walk_oracle(tmp_path, "a")
    assert sorted(p[2:] for p in everything.splitlines()) == _walk_oracle(tmp_path, ".")
    # ".hidden.spl" has the extension "spl" (Rust's Path::extension): only a leading dot is no extension.
    assert sorted(p[2:] for p in spl.splitlines()) == [p for p in _walk_oracle(tmp_path, ".") if p.endswith(".spl")]
    assert rest.splitlines() == ["true", "0", "0"]


def test_glob_against_python_glob(simple_runtime, tmp_path):
    _tree(tmp_path)
    patterns = ["*.spl", "a/*", "a/*/*.txt", "*/b/c/z.sp?", "[at]*", "nothing*", "a/.h*", "/nonexistent/*"]
    body = "".join(f'for p in rt_dir_glob("{pat}"):\n    print p\nprint "--"\n' for pat in patterns)
    groups = "\n".join(lines(simple_runtime, body, tmp_path)).split("--")
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        for pat, got in zip(patterns, groups):
            assert got.split() == sorted(glob.glob(pat, include_hidden=pat.startswith("a/.h"))), pat
    finally:
        os.chdir(cwd)


def test_list_dir_failure_is_empty(simple_runtime, tmp_path):
    _tree(tmp_path)
    out = lines(simple_runtime, 'print rt_file_list_dir("a")\nprint rt_file_list_dir("missing")\n', tmp_path)
    assert out == ["[" + ", ".join(sorted(os.listdir(tmp_path / "a"))) + "]", "[]"]
