"""core's descriptor externs (issue 26): open modes, seek, write, read_until, size, and
that a descriptor the library did not open (0, 1, 2, closed ones) is refused."""

from __future__ import annotations

from corestd import lines


def test_open_write_seek_read(simple_runtime, tmp_path):
    (tmp_path / "in.txt").write_text("alpha\nbeta\ngamma")
    out = lines(simple_runtime, """
val w = rt_io_file_open("out.bin", 1)
print w > 2
print rt_fd_write(w, "hello world", 5)
print rt_fd_write(w, "abc", 99)
print rt_io_file_write_all(w, [10, 33])
print rt_io_file_flush(w)
print rt_io_file_meta_size(w)
print rt_io_file_seek(w, 0, 0)
print rt_io_file_seek(w, -2, 2)
print rt_io_file_seek(w, 0, 7)
print rt_io_file_close(w)
print rt_io_file_close(w)
val r = rt_file_open("in.txt", 0)
print rt_fd_read_until(r, 10, 100) == "alpha\\n"
print rt_fd_read_until(r, 10, 2)
print rt_fd_read_until(r, 10, 100) == "ta\\n"
print rt_fd_read_until(r, 999, 100)
print "[{rt_fd_read_until(r, 10, 100)}]"
print rt_file_close(r)
print rt_fd_close(r)
val a = rt_io_file_open("out.bin", 2)
print rt_fd_write(a, "+", 1)
print rt_fd_close(a)
print rt_io_file_open("missing/x", 1)
print rt_io_file_open("in.txt", 4)
print rt_file_open("in.txt", -1)
""", tmp_path)
    assert out == ["true", "5", "3", "true", "true", "10", "0", "8", "-1", "true", "false",
                   "true", "be", "true", "gamma", "[]", "true", "false", "1", "true", "-1", "-1", "-1"]
    assert (tmp_path / "out.bin").read_bytes() == b"helloabc\n!+"


def test_descriptors_it_did_not_open_are_refused(simple_runtime, tmp_path):
    out = lines(simple_runtime, """
for fd in [0, 1, 2, 3, -1, 5000]:
    print "{rt_fd_close(fd)} {rt_io_file_close(fd)} {rt_fd_write(fd, "x", 1)} {rt_io_file_write_all(fd, [1])} {rt_io_file_meta_size(fd)} {rt_io_file_seek(fd, 0, 0)} {rt_io_file_flush(fd)}"
print "still here"
""", tmp_path)
    assert out == ["false false -1 false -1 -1 false"] * 6 + ["still here"]
