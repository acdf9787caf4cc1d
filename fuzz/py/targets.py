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


class Disagreement(AssertionError):
    """Two of sffi's symbol paths answered one input differently: a bug in one of them."""


def _answer(read) -> tuple[str, object]:
    """``("rows", value)`` from ``read()``, or ``("error", message)`` for the SffiError it raised."""
    try:
        return "rows", read()
    except SffiError as exc:
        return "error", str(exc)


def _agree(what: str, answers: dict[str, tuple[str, object]], may_refuse: tuple[str, ...] = ()) -> None:
    """Raises Disagreement unless every path gave the same rows, or all of them an error
    (``what``: the check). The paths named in ``may_refuse`` may also answer with an error where
    the others read rows (a third-party parser stricter than ours), never with other rows."""
    (first, expected), *rest = answers.items()
    for name, answer in rest:
        same = answer == expected or (answer[0] == expected[0] == "error")
        if not same and not (name in may_refuse and answer[0] == "error"):
            raise Disagreement(f"{what}: {first} gave {str(expected)[:300]}, {name} gave {str(answer)[:300]}")


def symbols(data: bytes) -> None:
    """The three symbol paths cross-checked on one object, shared object or archive: the same
    symbols or the same error (:class:`Disagreement` otherwise, a crash to atheris).

    - ``sffi.symbols.scan_file`` with the C decoder (sffi.symbols.symtab), the pyelftools
      reference backend and the LIEF backend (LIEF reads shared objects, pyelftools the rest):
      the same symbols, or all a ScanError (messages may differ: each parser words its own). A
      reference backend may also refuse where the C decoder reads (the third-party parsers are
      stricter in places: pyelftools reads every section's name up front, LIEF gives up on a
      damaged ``.dynsym``), never answer with other symbols; the C decoder refusing what a
      reference reads is a disagreement;
    - ``sffi symbols`` (table and JSON, every selection) through the C extension and without it
      (pyelftools reads the file, the Python path prints it): the same bytes, or the same error
      message; without the extension it may refuse only where the pyelftools backend did.
    """
    import io

    from sffi import symbols as symbols_mod
    from sffi.commands import symbols as symbols_cmd
    from sffi.symbols import symtab
    path = _write("fuzz.bin", data)
    scanned = {backend: _answer(lambda b=backend: symbols_mod.scan_file(path, backend=b).symbols)
               for backend in ("auto", "pyelftools", "lief")}
    _agree("symbols", scanned, may_refuse=("pyelftools", "lief"))
    pyelftools_refused = scanned["pyelftools"][0] == "error"

    def printed(selection: str) -> str:
        found = symbols_mod.scan_rows(path, selection)
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        if len(found):
            symbols_cmd.write_table(found, False, out)
        symbols_cmd.write_json([found], selection, False, out)
        out.flush()
        return out.buffer.getvalue().decode("utf-8", "replace")

    c_path = symtab._symtab
    for selection in ("exports", "all", "undefined"):
        answers = {"C extension": _answer(lambda: printed(selection))}
        symtab._symtab = None
        try:
            answers["Python path"] = _answer(lambda: printed(selection))
        finally:
            symtab._symtab = c_path
        if pyelftools_refused and answers["Python path"][0] == "error":
            continue  # a stricter parser's refusal, checked above
        if answers["C extension"] != answers["Python path"]:
            raise Disagreement(f"sffi symbols ({selection}): the C extension gave "
                               f"{str(answers['C extension'])[:300]}, the Python path {str(answers['Python path'])[:300]}")


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
