"""core's file externs (issue 26) against Python's os, shutil, hashlib: values and failure values."""

from __future__ import annotations

import hashlib
import os
import socket
import stat

from corestd import lines, run


def test_metadata(simple_runtime, tmp_path):
    (tmp_path / "f.bin").write_bytes(b"x" * 1234)
    os.chmod(tmp_path / "f.bin", 0o640)
    os.utime(tmp_path / "f.bin", (1_000_000_000, 1_500_000_123))
    (tmp_path / "d").mkdir()
    out = lines(simple_runtime, """
for p in ["f.bin", "d", "missing"]:
    print "{rt_file_size(p)} {rt_file_modified(p)} {rt_file_modified_time(p)} {rt_file_mode(p)}"
    print "{rt_file_exists(p)} {rt_file_exists_str(p)} {rt_io_file_exists(p)} {rt_dir_exists(p)}"
""", tmp_path)
    for i, name in enumerate(["f.bin", "d"]):
        st = os.stat(tmp_path / name)
        assert out[2 * i] == f"{st.st_size} {int(st.st_mtime)} {int(st.st_mtime)} {stat.S_IMODE(st.st_mode)}"
    assert out[1] == "true true true false" and out[3] == "true true true true"
    assert out[4:] == ["-1 -1 -1 -1", "false false false false"]


def test_probe_window_counts_exists_calls(simple_runtime, tmp_path):
    (tmp_path / "here").write_text("")
    out = lines(simple_runtime, """
val t = rt_file_exists_probe_begin()
print t > 0
print rt_file_exists_probe_begin()
rt_file_exists("here")
rt_file_exists("nope")
rt_file_exists("nope2")
print rt_file_exists_probe_end(t + 1)
val packed = rt_file_exists_probe_end(t)
print "{packed / 4294967296} {packed % 4294967296}"
print rt_file_exists_probe_end(t)
print rt_file_exists_probe_begin() > t
""", tmp_path)
    assert out == ["true", "-1", "-2", "3 2", "-2", "true"]


def test_reading(simple_runtime, tmp_path):
    data = bytes(range(256)) * 3
    (tmp_path / "b.bin").write_bytes(data)
    (tmp_path / "crlf.txt").write_bytes(b"a\r\nb\r\n")
    (tmp_path / "t.txt").write_text("hello world")
    out = lines(simple_runtime, """
val b = rt_file_read_bytes("b.bin")
print "{len(b)} {b[0]} {b[255]} {b[767]}"
val m = rt_file_mmap_read_bytes("b.bin")
print "{len(m)} {m[1]} {m[766]}"
print rt_file_read_text("crlf.txt") == "a\\nb\\n"
print rt_fs_read_text("crlf.txt") == "a\\nb\\n"
print rt_fs_read_text("missing") == nil
print rt_file_mmap_read_text("t.txt")
print rt_file_mmap_read_text("missing") == nil
print rt_file_read_text_at("t.txt", 6, 5)
print rt_file_read_text_at("t.txt", 6, 100)
print "[{rt_file_read_text_at("t.txt", 50, 5)}]"
print "[{rt_file_read_text_at("missing", 0, 5)}]"
print "[{rt_file_read_text_at("t.txt", -1, 5)}]"
print rt_file_read_text_at_checked("t.txt", 0, 5)
print rt_file_read_text_at_checked("t.txt", 50, 5) == ""
print rt_file_read_text_at_checked("missing", 0, 5) == nil
print rt_file_read_text_at_checked("t.txt", 0, -1) == nil
""", tmp_path)
    assert out == [f"768 0 255 {data[767]}", f"768 1 {data[766]}", "true", "true", "true", "hello world", "true",
                   "world", "world", "[]", "[]", "[]", "hello", "true", "true", "true"]
    proc = run(simple_runtime, 'rt_file_read_bytes("missing")\n', tmp_path)
    assert proc.returncode == 1 and "cannot read 'missing': No such file or directory" in proc.stderr


def test_writing(simple_runtime, tmp_path):
    out = lines(simple_runtime, """
print rt_file_append_text("a.txt", "one ")
print rt_file_append_text("a.txt", "two")
print rt_write_file("w.txt", "written")
print rt_file_write("n.txt", "12345")
print rt_file_write("no/such/dir.txt", "x")
print rt_file_write_bytes("b.bin", [0, 1, 255])
print rt_file_write_bytes("b2.bin", rt_file_read_bytes("b.bin"))
print rt_file_create_excl("x.txt", "first")
print rt_file_create_excl("x.txt", "second")
print rt_file_sync("x.txt")
print rt_file_sync("missing")
print rt_file_append_text("no/such/dir.txt", "x")
""", tmp_path)
    assert out == ["true", "true", "true", "5", "-1", "true", "true", "true", "false", "true", "false", "false"]
    assert (tmp_path / "a.txt").read_text() == "one two"
    assert (tmp_path / "w.txt").read_text() == "written"
    assert (tmp_path / "b.bin").read_bytes() == (tmp_path / "b2.bin").read_bytes() == b"\x00\x01\xff"
    assert (tmp_path / "x.txt").read_text() == "first"


def test_atomic_write(simple_runtime, tmp_path):
    (tmp_path / "keep.txt").write_text("old")
    os.chmod(tmp_path / "keep.txt", 0o604)
    out = lines(simple_runtime, """
print rt_file_atomic_write("keep.txt", "new")
print rt_file_atomic_write("deep/er/new.txt", "made")
print rt_file_atomic_write_mode("secret.txt", "s3", 384)
print rt_file_atomic_write_mode("keep.txt", "again", 416)
print rt_file_atomic_write("", "x")
""", tmp_path)
    assert out == ["true", "true", "true", "true", "false"]
    assert (tmp_path / "deep/er/new.txt").read_text() == "made"
    assert (tmp_path / "secret.txt").read_text() == "s3"
    assert stat.S_IMODE(os.stat(tmp_path / "secret.txt").st_mode) == 0o600
    assert (tmp_path / "keep.txt").read_text() == "again"
    assert stat.S_IMODE(os.stat(tmp_path / "keep.txt").st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "keep.txt", "secret.txt", "t.spl"]  # no temp left
    proc = run(simple_runtime, 'rt_file_atomic_write_mode("m.txt", "x", -1)\n', tmp_path)
    assert proc.returncode == 1 and "mode must be permission bits" in proc.stderr


def test_atomic_write_keeps_the_mode_of_the_file_it_replaces(simple_runtime, tmp_path):
    (tmp_path / "f").write_text("a")
    os.chmod(tmp_path / "f", 0o751)
    assert lines(simple_runtime, 'print rt_file_atomic_write("f", "b")\n', tmp_path) == ["true"]
    assert stat.S_IMODE(os.stat(tmp_path / "f").st_mode) == 0o751


def test_copy_move_remove(simple_runtime, tmp_path):
    (tmp_path / "src.txt").write_text("content")
    os.chmod(tmp_path / "src.txt", 0o755)
    (tmp_path / "dir").mkdir()
    os.symlink("src.txt", tmp_path / "link")
    out = lines(simple_runtime, """
print rt_file_copy("src.txt", "copy.txt")
print rt_file_copy("missing", "c2.txt")
print rt_file_copy("dir", "c3.txt")
print rt_file_move("copy.txt", "moved.txt")
print rt_file_move("missing", "m2.txt")
print rt_file_remove("link")
print rt_file_remove("dir")
print rt_io_file_delete("moved.txt")
print rt_io_file_delete("moved.txt")
print rt_file_remove("missing")
""", tmp_path)
    assert out == ["true", "false", "false", "true", "false", "true", "false", "true", "false", "false"]
    assert not (tmp_path / "link").exists() and (tmp_path / "src.txt").exists()
    assert not (tmp_path / "c2.txt").exists() and not (tmp_path / "moved.txt").exists()


def test_copy_keeps_content_and_mode(simple_runtime, tmp_path):
    blob = os.urandom(300_000)
    (tmp_path / "big").write_bytes(blob)
    os.chmod(tmp_path / "big", 0o700)
    assert lines(simple_runtime, 'print rt_file_copy("big", "big2")\n', tmp_path) == ["true"]
    assert (tmp_path / "big2").read_bytes() == blob
    assert stat.S_IMODE(os.stat(tmp_path / "big2").st_mode) == 0o700


def test_hash_against_hashlib(simple_runtime, tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    (tmp_path / "big").write_bytes(os.urandom(200_000))
    out = lines(simple_runtime, """
for p in ["empty", "big", "t.spl"]:
    print rt_file_hash_sha256(p)
    print rt_file_hash(p)
print rt_file_hash_sha256("missing") == nil
print rt_file_hash(".") == nil
""", tmp_path)
    for i, name in enumerate(["empty", "big", "t.spl"]):
        digest = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        assert out[2 * i] == out[2 * i + 1] == digest
    assert out[6:] == ["true", "true"]


def test_locks(simple_runtime, tmp_path):
    (tmp_path / "taken.lock").write_text(f"1:{socket.gethostname()}")  # held by pid 1: alive
    dead = 2**22 + 12345  # beyond pid_max on this kernel: no such process
    (tmp_path / "stale.lock").write_text(f"{dead}:{socket.gethostname()}")
    out = lines(simple_runtime, """
val h = rt_file_lock("data", 5)
print h > 0
print rt_file_read_text("data.lock") == "{rt_getpid()}:{rt_hostname()}"
print rt_file_lock("data", 5)
print rt_file_lock("taken", 0)
print rt_file_lock("stale", 0) > h
print rt_file_lock("no/such/dir", 0)
print rt_file_unlock(h)
print rt_file_exists("data.lock")
print rt_file_unlock(h)
print rt_file_unlock(0)
""", tmp_path, timeout=30)
    assert out == ["true", "true", "-1", "-1", "true", "-1", "true", "false", "false", "false"]
    assert (tmp_path / "taken.lock").exists()


def test_canonicalize(simple_runtime, tmp_path):
    (tmp_path / "real").mkdir()
    os.symlink("real", tmp_path / "ln")
    out = lines(simple_runtime, """
print rt_file_canonicalize("ln/../ln")
print rt_file_canonicalize("not/here")
print rt_file_canonicalize("/not/here")
print rt_path_absolute("ln")
""", tmp_path)
    base = os.path.realpath(tmp_path)
    assert out == [os.path.realpath(tmp_path / "ln/../ln"), os.path.join(base, "not/here"), "/not/here",
                   os.path.join(base, "real")]
