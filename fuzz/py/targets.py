"""The Python fuzz targets: every reader sffi points at files from outside.

Each target takes the fuzzer's bytes as the content of one input file, writes
it to a scratch directory and calls the public reader on it. A user mistake
must come out as :class:`sffi.errors.SffiError` (the command line prints it as
one line); any other exception, a hang (libFuzzer's ``-timeout``) or running
out of memory (``-rss_limit_mb``) is a bug, and atheris reports it as a crash.
Every input is run: no known bug is looked past.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sffi.errors import SffiError

ROOT = Path(__file__).resolve().parent.parent.parent
SCRATCH = Path(tempfile.mkdtemp(prefix="sffi-fuzz-"))
KNOWN_LIBRARIES = ["core", "opencv", "sqlite", "torch"]


def _write(name: str, data: bytes) -> Path:
    path = SCRATCH / name
    path.write_bytes(data)
    return path


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
    """sffi.symbols.scan_file on one object, shared object or archive (both reference
    backends), and ``sffi symbols`` (table and JSON, every selection) from the bulk decoder,
    through the C extension where it applies (sffi.symbols._symtab)."""
    import io

    from sffi import symbols as symbols_mod
    from sffi.commands import symbols as symbols_cmd
    path = _write("fuzz.bin", data)
    for backend in ("pyelftools", "lief"):
        symbols_mod.scan_file(path, backend=backend)
    for selection in ("exports", "all", "undefined"):
        found = symbols_mod.scan_rows(path, selection)
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        if len(found):
            symbols_cmd.write_table(found, False, out)
        symbols_cmd.write_json([found], selection, False, out)


def dwarf(data: bytes) -> None:
    """sffi.dwarf.reader.read_prototypes on one object, shared object or archive with debug info."""
    from sffi.dwarf import reader
    reader.read_prototypes(_write("fuzz.bin", data))


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
