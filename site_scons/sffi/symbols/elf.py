"""Reading the symbols of one ELF file.

What is read: for a relocatable object (ET_REL) its ``.symtab``; for a shared
object (ET_DYN) or an executable (ET_EXEC) its ``.dynsym``, the table the
dynamic linker sees, with the GNU symbol versions (``.gnu.version``,
``.gnu.version_d``, ``.gnu.version_r``; the LSB Core Specification, Ulrich
Drepper's "How To Write Shared Libraries", section 3). The null entry 0 and
``STT_SECTION``/``STT_FILE`` entries are left out; every other entry, local
ones included, is returned.

Before anything is decoded, sffi.symbols.layout checks the ELF header, the
section header table and every section read against the file size (and the
counts in the version sections against their sizes), so a truncated or
damaged file gives a :class:`ScanError` that says what is wrong instead of a
short, silently incomplete table, an endless loop or a huge allocation. The
tables are then decoded by the C extension (sffi.symbols.symtab), or, where it is
not built, entry by entry by pyelftools (sffi.symbols.reference): the same
results, which the tests compare.
"""

from __future__ import annotations

import io
import os
import struct

from sffi.errors import ScanError
from sffi.symbols import symtab
from sffi.symbols.layout import ELF_MAGIC, open_layout
from sffi.symbols.parse_errors import one_line

__all__ = ["ELF_MAGIC", "PARSE_ERRORS", "dynsym_count", "linked_rows", "linked_symbols", "one_line", "read_elf",
           "read_elf_bytes", "read_rows", "read_table"]


def __getattr__(name: str):
    """``PARSE_ERRORS``: sffi.symbols.parse_errors.PARSE_ERRORS (built on first use)."""
    if name == "PARSE_ERRORS":
        from sffi.symbols import parse_errors

        return parse_errors.PARSE_ERRORS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_rows(stream: io.BufferedIOBase | bytes, size: int, *, location: str, member: str | None = None,
              static_table: bool = False, selection: str = "all") -> tuple[str, list[tuple]]:
    """:func:`read_columns`, as rows (tuples in the field order of sffi.symbols.Symbol)."""
    kind, columns = read_columns(stream, size, location=location, member=member,
                                 static_table=static_table, selection=selection)
    return kind, list(zip(*columns))


def read_columns(stream: io.BufferedIOBase | bytes, size: int, *, location: str, member: str | None = None,
                 static_table: bool = False, selection: str = "all") -> tuple[str, list[list]]:
    """The symbols of one ELF file as columns, in table order: ten lists, one per field of
    sffi.symbols.Symbol (the positions of sffi.symbols.spelling), read by the C extension
    (sffi.symbols.symtab.Table.columns), or by pyelftools where it is not built.

    Args:
        stream: a seekable binary file holding the whole ELF file, or its bytes.
        size: the file's length in bytes.
        location: how errors name the input (``path`` or ``archive(member)``).
        member: the archive member name recorded in each row.
        static_table: read ``.symtab`` whatever the file's type.
        selection: which symbols to decode (sffi.symbols.symtab.decode_table).
    Returns:
        ``(kind, columns)``: kind ``'object'``, ``'shared'`` or ``'executable'``.
    Raises:
        ScanError: the file is not a readable ELF object or shared object, or
            its symbol tables are corrupt; ``cannot read`` for an I/O error.
    """
    if not symtab.available():
        return _read_reference(stream, size, location, member, static_table, selection)
    kind, table = read_table(stream, size, location=location, member=member, static_table=static_table,
                             selection=selection)
    return kind, table.columns()


def read_table(stream: io.BufferedIOBase | bytes, size: int, *, location: str, member: str | None = None,
               static_table: bool = False, selection: str = "all") -> tuple[str, symtab.Table]:
    """:func:`read_columns` as a sffi.symbols.symtab.Table (names and keys), only where the C
    extension is built (sffi.symbols.symtab.available). Args, Raises: as :func:`read_columns`."""
    try:
        layout = _open(stream, size, location, static_table)
        return layout.kind, symtab.decode_table(layout, member, selection)
    except OSError as exc:
        raise ScanError(f"cannot read: {exc.strerror or exc}", location=location) from None
    except struct.error as exc:  # a file that changed size while being read
        raise ScanError(f"corrupt ELF file: {one_line(exc)}", location=location) from None


def _open(stream: io.BufferedIOBase | bytes, size: int, location: str, static_table: bool):
    """sffi.symbols.layout.open_layout, refusing a binary without ``.symtab`` when it is asked for."""
    layout = open_layout(stream, size, location, static_table)
    if static_table and layout.table is None:
        raise ScanError("no .symtab (stripped binary): its symbols cannot be audited", location=location)
    return layout


def _read_reference(stream: io.BufferedIOBase | bytes, size: int, location: str, member: str | None,
                    static_table: bool, selection: str) -> tuple[str, list[list]]:
    """:func:`read_columns` by pyelftools (sffi.symbols.reference), for where the C extension
    is not built: the selected symbols as columns."""
    from sffi.symbols.model import Symbol, exports, undefined
    from sffi.symbols.reference import read_pyelftools

    if selection not in symtab.SELECTIONS:
        raise ValueError(f"selection must be one of {symtab.SELECTIONS}, not {selection!r}")
    if isinstance(stream, (bytes, bytearray, memoryview)):
        stream = io.BytesIO(stream)
    try:
        _open(stream, size, location, static_table)
        kind, symbols = read_pyelftools(stream, size, location=location, member=member, static_table=static_table)
    except OSError as exc:
        raise ScanError(f"cannot read: {exc.strerror or exc}", location=location) from None
    if selection != "all":
        symbols = (exports if selection == "exports" else undefined)(symbols)
    fields = Symbol.__slots__  # the field names, in order (a dataclass with slots)
    return kind, [[getattr(s, f) for s in symbols] for f in fields]


def read_elf(stream: io.BufferedIOBase, size: int, *, location: str,
             member: str | None = None) -> tuple[str, list]:
    """The symbols of one ELF file as :class:`sffi.symbols.Symbol` objects, in table order (unsorted).

    Args and Raises: as :func:`read_rows`.
    Returns:
        ``(kind, symbols)``.
    """
    from sffi.symbols.model import Symbol

    kind, rows = read_rows(stream, size, location=location, member=member)
    return kind, [Symbol(*row) for row in rows]


def read_elf_bytes(data: bytes, *, location: str, member: str | None = None) -> tuple[str, list]:
    """:func:`read_elf` on bytes held in memory (an archive member)."""
    return read_elf(io.BytesIO(data), len(data), location=location, member=member)


def linked_symbols(path: str | os.PathLike) -> list:
    """The ``.symtab`` symbols of a linked executable or shared object (:class:`sffi.symbols.Symbol`).

    The build's audit uses this: a statically linked runtime's table entries
    are in ``.symtab`` only, not ``.dynsym``.

    Raises:
        ScanError: unreadable or corrupt file, or no ``.symtab`` (stripped).
    """
    from sffi.symbols.model import Symbol

    return [Symbol(*row) for row in linked_rows(path)]


def linked_rows(path: str | os.PathLike) -> list[tuple]:
    """:func:`linked_symbols` as rows (sffi.symbols.spelling's positions), in table order. Raises: as it."""
    location = os.fspath(path)
    try:
        with open(location, "rb") as stream:
            _kind, rows = read_rows(stream, os.fstat(stream.fileno()).st_size, location=location,
                                    static_table=True)
    except OSError as exc:
        raise ScanError(f"cannot read: {exc.strerror}", location=location) from None
    return rows


def dynsym_count(path: str | os.PathLike) -> int:
    """The number of ``.dynsym`` entries of a shared object or executable, 0 if none.

    Raises:
        ScanError: as :func:`read_elf`.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        layout = open_layout(f, os.fstat(f.fileno()).st_size, path)
        if layout.kind == "object" or layout.table is None:
            return 0
        return layout.table.size // layout.table.entsize
