"""Helpers that build real test artifacts: C objects, archives, shared objects.

Used by the tests of sffi.symbols, sffi.dwarf, sffi.report (diff) and sffi.hardening. Everything is compiled with the
machine's ``cc`` and archived with its ``ar``; the BSD archive writer exists
because GNU ar cannot write that format.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CC = shutil.which("cc") or shutil.which("gcc")
AR = shutil.which("ar")


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> str:
    """Run ``cmd``; return stdout; fail with its stderr."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def compile_c(src: Path, out: Path, *flags: str) -> Path:
    """``cc -c src -o out`` with ``flags``."""
    run([CC, "-c", "-O0", *flags, str(src), "-o", str(out)])
    return out


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (parents created) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def ar_rcs(archive: Path, *members: Path, thin: bool = False) -> Path:
    """GNU ``ar rcs`` (``rcsT`` for a thin archive), members by file name."""
    names = [m.name if m.parent == archive.parent else str(m) for m in members]
    run([AR, "rcsT" if thin else "rcs", archive.name, *names], cwd=archive.parent)
    return archive


def shared(out: Path, *srcs: Path, version_script: Path | None = None) -> Path:
    """``cc -shared -fPIC`` the sources into ``out`` (with a version script if given)."""
    cmd = [CC, "-shared", "-fPIC", "-O0", *(str(s) for s in srcs), "-o", str(out)]
    if version_script is not None:
        cmd.append(f"-Wl,--version-script={version_script}")
    run(cmd)
    return out


def _ar_header(name: bytes, size: int) -> bytes:
    fields = [name.ljust(16), b"0".ljust(12), b"0".ljust(6), b"0".ljust(6), b"100644".ljust(8),
              str(size).encode().ljust(10), b"`\n"]
    header = b"".join(fields)
    assert len(header) == 60, header
    return header


def write_bsd_archive(path: Path, members: list[tuple[str, bytes]], symdef: bool = True) -> Path:
    """An archive as macOS's ar/libtool write it: ``#1/NN`` names, ``__.SYMDEF SORTED`` first.

    The name is stored after the header, NUL-padded to a multiple of 8 bytes,
    and counted in the size field; data is padded to an even offset with ``\\n``.
    """
    out = bytearray(b"!<arch>\n")

    def add(name: bytes, data: bytes) -> None:
        padded = name + b"\0" * (-len(name) % 8)
        out.extend(_ar_header(b"#1/%d" % len(padded), len(padded) + len(data)))
        out.extend(padded + data)
        if len(out) % 2:
            out.extend(b"\n")

    if symdef:
        add(b"__.SYMDEF SORTED", b"\0" * 8)  # an empty ranlib table (count 0, strings 0)
    for name, data in members:
        add(name.encode(), data)
    path.write_bytes(bytes(out))
    return path


def write_gnu_archive(path: Path, members: list[tuple[str, bytes]],
                      raw_headers: dict[int, bytes] | None = None) -> Path:
    """A plain GNU-style archive with short names (``name/``), optionally a forced raw header.

    ``raw_headers`` maps a member index to the 60 header bytes to write instead
    of the computed ones (to build damaged archives).
    """
    out = bytearray(b"!<arch>\n")
    for i, (name, data) in enumerate(members):
        header = _ar_header(name.encode() + b"/", len(data))
        out.extend((raw_headers or {}).get(i, header) + data)
        if len(out) % 2:
            out.extend(b"\n")
    path.write_bytes(bytes(out))
    return path


def member_offsets(path: Path) -> list[tuple[int, bytes]]:
    """(header offset, raw 16-byte name field) of every entry of an ``ar`` archive."""
    data = path.read_bytes()
    pos, found = 8, []
    while pos + 60 <= len(data):
        found.append((pos, data[pos:pos + 16]))
        size = int(data[pos + 48:pos + 58])
        pos += 60 + size + (size % 2)
    return found


_SHT_SYMTAB, _SHT_DYNSYM = 2, 11
_SHT_VERDEF, _SHT_VERNEED, _SHT_VERSYM = 0x6FFFFFFD, 0x6FFFFFFE, 0x6FFFFFFF


def to_big_endian(data: bytes) -> bytes:
    """A little-endian ELF file rewritten as big-endian (``EI_DATA = ELFDATA2MSB``).

    Every structure the symbol readers read is byte-swapped: the ELF header,
    the program and section header tables, ``.symtab``/``.dynsym``,
    ``.gnu.version``, ``.gnu.version_d`` and ``.gnu.version_r``. Code, data,
    relocations and the dynamic section are left as they are, so the result
    does not run, but it reads as a big-endian ELF for readelf and pyelftools
    (no big-endian toolchain is needed to test the readers on one).
    """
    import struct

    out = bytearray(data)
    is64 = data[4] == 2

    def swap(offset: int, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, data, offset)
        struct.pack_into(">" + fmt, out, offset, *values)
        return values

    h = swap(16, "HHIQQQIHHHHHH" if is64 else "HHIIIIIHHHHHH")
    phoff, shoff, phentsize, phnum, shentsize, shnum = h[4], h[5], h[8], h[9], h[10], h[11]
    for i in range(phnum):
        swap(phoff + i * phentsize, "IIQQQQQQ" if is64 else "IIIIIIII")
    for i in range(shnum):
        sh = swap(shoff + i * shentsize, "IIQQQQIIQQ" if is64 else "IIIIIIIIII")
        kind, offset, size, info = sh[1], sh[4], sh[5], sh[7]
        if kind in (_SHT_SYMTAB, _SHT_DYNSYM):
            entry, fmt = (24, "IBBHQQ") if is64 else (16, "IIIBBH")
            for at in range(offset, offset + size, entry):
                swap(at, fmt)
        elif kind == _SHT_VERSYM:
            for at in range(offset, offset + size, 2):
                swap(at, "H")
        elif kind in (_SHT_VERDEF, _SHT_VERNEED):
            _swap_versions(swap, offset, info, kind == _SHT_VERDEF)
    out[5] = 2
    return bytes(out)


def _swap_versions(swap, offset: int, count: int, verdef: bool) -> None:
    """Byte-swap the ``count`` entries of a version section and their auxiliary entries."""
    at = offset
    for _ in range(count):
        if verdef:
            _v, _f, _ndx, cnt, _h, aux, nxt = swap(at, "HHHHIII")
            aux_fmt, next_field = "II", 1
        else:
            _v, cnt, _file, aux, nxt = swap(at, "HHIII")
            aux_fmt, next_field = "IHHII", 4
        aux_at = at + aux
        for _ in range(cnt):
            aux_at += swap(aux_at, aux_fmt)[next_field]
        at += nxt
        if not nxt:
            break


def section_header(data: bytes, name: str) -> tuple[int, dict]:
    """(offset of the section header, its fields) of the section ``name`` of a 64-bit LE ELF file."""
    import struct

    shoff, = struct.unpack_from("<Q", data, 40)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 58)
    keys = ("name", "type", "flags", "addr", "offset", "size", "link", "info", "align", "entsize")
    headers = [dict(zip(keys, struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)))
               for i in range(shnum)]
    names = headers[shstrndx]
    for i, sh in enumerate(headers):
        start = names["offset"] + sh["name"]
        if data[start:data.index(b"\0", start)].decode() == name:
            return shoff + i * shentsize, sh
    raise KeyError(name)
