"""The Python fuzz targets: every reader sffi points at files from outside.

Each target takes the fuzzer's bytes as the content of one input file, writes
it to a scratch directory and calls the public reader on it. A user mistake
must come out as :class:`sffi.errors.SffiError` (the command line prints it as
one line); any other exception, a hang (libFuzzer's ``-timeout``) or running
out of memory (``-rss_limit_mb``) is a bug, and atheris reports it as a crash.

Known bugs of issue 17 (scanner items 2 and 3) are skipped unless the
environment sets ``SFFI_FUZZ_KNOWN_BUGS=1``: ELF inputs with a
``.gnu.version_d``/``.gnu.version_r`` count larger than the section could hold,
or a string table that does not end in a NUL byte (:func:`known_elf_bug`).
"""

from __future__ import annotations

import os
import struct
import tempfile
from pathlib import Path

from sffi.errors import SffiError

ROOT = Path(__file__).resolve().parent.parent.parent
SCRATCH = Path(tempfile.mkdtemp(prefix="sffi-fuzz-"))
LOOK_PAST_KNOWN_BUGS = os.environ.get("SFFI_FUZZ_KNOWN_BUGS") != "1"
KNOWN_LIBRARIES = ["core", "opencv", "sqlite", "torch"]

SHT_STRTAB, SHT_GNU_VERDEF, SHT_GNU_VERNEED = 3, 0x6FFFFFFD, 0x6FFFFFFE


def _write(name: str, data: bytes) -> Path:
    path = SCRATCH / name
    path.write_bytes(data)
    return path


def _sections(data: bytes, base: int):
    """(sh_type, sh_offset, sh_size, sh_info) of each section header of the ELF64
    little-endian image at ``base`` that lies inside ``data``."""
    if base + 0x40 > len(data) or data[base + 4] != 2 or data[base + 5] != 1:
        return
    shoff, = struct.unpack_from("<Q", data, base + 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, base + 0x3A)
    if shentsize < 64:
        return
    for i in range(min(shnum, 4096)):
        at = base + shoff + i * shentsize
        if at + 64 > len(data):
            return
        _, sh_type, _, _, off, size, _, info, _, _ = struct.unpack_from("<IIQQQQIIQQ", data, at)
        yield sh_type, base + off, size, info


def _scanner_bug(data: bytes, base: int) -> bool:
    """Issue 17 items 2-3: a version count the section cannot hold, a string table without NUL."""
    for sh_type, off, size, info in _sections(data, base):
        if sh_type in (SHT_GNU_VERDEF, SHT_GNU_VERNEED) and info > size // 16:
            return True
        if sh_type == SHT_STRTAB and size and (off + size > len(data) or data[off + size - 1] != 0):
            return True
    return False


def _any_elf(data: bytes, test) -> bool:
    at = data.find(b"\x7fELF")
    while at >= 0:
        if test(data, at):
            return True
        at = data.find(b"\x7fELF", at + 1)
    return False


def known_elf_bug(data: bytes) -> bool:
    """Whether any ELF image in ``data`` (an object, or an archive member) hits a known scanner bug."""
    return _any_elf(data, _scanner_bug)


def _elf_input(data: bytes, name: str) -> Path | None:
    if LOOK_PAST_KNOWN_BUGS and known_elf_bug(data):
        return None
    return _write(name, data)


def decls(data: bytes) -> None:
    """sffi.decls.parse_files on one declaration file."""
    from sffi import decls as decls_mod
    decls_mod.parse_files([_write("fuzz.spl", data)])


def manifest(data: bytes) -> None:
    """sffi.manifest.load on one sffi.toml (sources resolve against an empty directory)."""
    from sffi import manifest as manifest_mod
    lib = SCRATCH / "lib"
    lib.mkdir(exist_ok=True)
    (lib / "sffi.toml").write_bytes(data)
    manifest_mod.load(lib)


def matrix(data: bytes) -> None:
    """sffi.report.matrix_file.load on one matrix.toml (scripts resolve against the project root)."""
    from sffi.report import matrix_file
    matrix_file.load(_write("matrix.toml", data), KNOWN_LIBRARIES, ROOT)


def suppressions(data: bytes) -> None:
    """sffi.report.suppress.load on one suppression file."""
    from sffi.report import suppress
    suppress.load([_write("fuzz.supp", data)])


def symbols(data: bytes) -> None:
    """sffi.symbols.scan_file on one object, shared object or archive (both backends)."""
    from sffi import symbols as symbols_mod
    path = _elf_input(data, "fuzz.bin")
    if path is not None:
        for backend in ("pyelftools", "lief"):
            symbols_mod.scan_file(path, backend=backend)


def dwarf(data: bytes) -> None:
    """sffi.dwarf.reader.read_prototypes on one object, shared object or archive with debug info."""
    from sffi.dwarf import reader
    path = _elf_input(data, "fuzz.bin")
    if path is not None:
        reader.read_prototypes(path)


#: target name -> (function, the modules atheris instruments for coverage)
TARGETS = {
    "decls": (decls, ["sffi.decls"]),
    "manifest": (manifest, ["sffi.manifest", "tomllib"]),
    "matrix": (matrix, ["sffi.report.matrix_file", "tomllib"]),
    "suppressions": (suppressions, ["sffi.report.suppress"]),
    "symbols_elf": (symbols, ["sffi.symbols", "elftools", "lief"]),  # lief at start, not in the first input
    "symbols_ar": (symbols, ["sffi.symbols", "elftools", "arpy", "lief"]),
    "dwarf": (dwarf, ["sffi.dwarf", "elftools"]),
}


def one_input(target: str, data: bytes) -> None:
    """Run ``target`` on ``data``; SffiError is the expected answer to bad input."""
    try:
        TARGETS[target][0](data)
    except SffiError:
        pass
