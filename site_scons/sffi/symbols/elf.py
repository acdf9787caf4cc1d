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
tables are then decoded in bulk (sffi.symbols.bulk). pyelftools' and LIEF's
own per-symbol reading (sffi.symbols.reference) give the same results; the
tests compare them.
"""

from __future__ import annotations

import io
import os
import struct

from sffi.errors import ScanError
from sffi.symbols import bulk
from sffi.symbols.layout import ELF_MAGIC, open_layout

__all__ = ["ELF_MAGIC", "PARSE_ERRORS", "dynsym_count", "linked_rows", "linked_symbols", "one_line", "read_elf",
           "read_elf_bytes", "read_rows", "read_table"]


def __getattr__(name: str):
    """``PARSE_ERRORS``: built on first use, so that importing this module does not
    import pyelftools (about as long as ``nm`` takes for a small library)."""
    if name == "PARSE_ERRORS":
        from elftools.common.exceptions import ELFError
        from elftools.construct.core import ConstructError

        value = (ELFError, ConstructError, struct.error, ValueError, KeyError, IndexError,
                 EOFError, AssertionError, UnicodeDecodeError, OverflowError, TypeError,
                 OSError)  # OSError: seeking to a negative offset read from the file
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def one_line(exc: BaseException) -> str:
    """A parser exception as one short line (200 characters at most) for a ScanError message."""
    if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
        return f"an offset in the file is out of range ({exc.strerror or exc})"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def read_rows(stream: io.BufferedIOBase | bytes, size: int, *, location: str, member: str | None = None,
              static_table: bool = False, selection: str = "all") -> tuple[str, list[tuple]]:
    """:func:`read_columns`, as rows (tuples in the field order of sffi.symbols.Symbol)."""
    kind, columns = read_columns(stream, size, location=location, member=member,
                                 static_table=static_table, selection=selection)
    return kind, list(zip(*columns))


def read_columns(stream: io.BufferedIOBase | bytes, size: int, *, location: str, member: str | None = None,
                 static_table: bool = False, selection: str = "all") -> tuple[str, list[list]]:
    """The symbols of one ELF file as columns (sffi.symbols.bulk.decode_columns), in table order.

    Args:
        stream: a seekable binary file holding the whole ELF file, or its bytes.
        size: the file's length in bytes.
        location: how errors name the input (``path`` or ``archive(member)``).
        member: the archive member name recorded in each row.
        static_table: read ``.symtab`` whatever the file's type.
        selection: which symbols to decode (sffi.symbols.bulk.decode_columns).
    Returns:
        ``(kind, columns)``: kind ``'object'``, ``'shared'`` or ``'executable'``.
    Raises:
        ScanError: the file is not a readable ELF object or shared object, or
            its symbol tables are corrupt; ``cannot read`` for an I/O error.
    """
    kind, table = read_table(stream, size, location=location, member=member, static_table=static_table,
                             selection=selection)
    return kind, table.columns()


def read_table(stream: io.BufferedIOBase | bytes, size: int, *, location: str, member: str | None = None,
               static_table: bool = False, selection: str = "all") -> tuple[str, bulk.Table]:
    """:func:`read_columns` as a sffi.symbols.bulk.Table (names and keys). Args, Raises: as it."""
    try:
        layout = open_layout(stream, size, location, static_table)
        if static_table and layout.table is None:
            raise ScanError("no .symtab (stripped binary): its symbols cannot be audited",
                            location=location)
        return layout.kind, bulk.decode_table(layout, member, selection)
    except OSError as exc:
        raise ScanError(f"cannot read: {exc.strerror or exc}", location=location) from None
    except struct.error as exc:  # a file that changed size while being read
        raise ScanError(f"corrupt ELF file: {one_line(exc)}", location=location) from None


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
    """:func:`linked_symbols` as rows (sffi.symbols.bulk), in table order. Raises: as it."""
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
