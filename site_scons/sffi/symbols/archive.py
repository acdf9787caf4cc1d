"""Reading ``ar`` archives (``.a``, rustc's ``.rlib``): the members and their bytes.

Format: ``ar(5)`` (the common ``!<arch>\\n`` archive: 60-byte member headers
``name[16] date[12] uid[6] gid[6] mode[8] size[10] "`\\n"``, data padded to an
even offset), with the two long-name schemes:

* GNU/System V: a member ``//`` holds a table of long names, each ended by
  ``/\\n``; a member whose name field is ``/NNN`` takes its name from offset NNN
  of that table. ``/`` (and ``/SYM64/``) is the symbol index.
* BSD/macOS: a name field ``#1/NN`` means the real name is the first NN bytes of
  the member's data (NUL-padded by Apple's tools) and the size includes them.
  ``__.SYMDEF``/``__.SYMDEF SORTED`` (and ``_64`` variants) is the symbol index.

GNU thin archives (``!<thin>\\n``, members stored outside by relative path) are
read too.

The parsing is arpy's (PyPI ``arpy``): it implements both long-name schemes
and thin archives. What this module adds on top, because arpy by itself falls
short on damaged or foreign input:

* arpy lets ``ValueError`` escape for a GNU name ``/abc`` or a BSD name
  ``#1/xy`` (it only wraps the size fields), and accepts a negative size
  (``int(b"-10")``), after which its next header offset goes backwards and a
  loop over headers never ends: both are caught here and turned into a
  :class:`~sffi.errors.ScanError` that names the header's offset.
* arpy does not check that a member's data fits in the file; a truncated
  archive would give short members. Checked here against the file size.
* arpy keeps the NUL padding of BSD names (``b"foo.o\\0\\0\\0"``) and reports
  BSD's ``__.SYMDEF`` index as an ordinary member; both are dealt with here.
* arpy skips ``size`` bytes after every header of a thin archive, but a
  thin archive's member data is not stored in it: from the second member on
  it reads garbage or stops early. The next header offset is reset here.
* arpy's exceptions name no file; ours name the archive and the offset.

The tests (tests/sffi/symbols/test_symbols.py) exercise each of these cases.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator

from sffi.errors import ScanError

#: The first bytes of an archive and of a thin archive (ar(5)).
AR_MAGIC = b"!<arch>\n"
THIN_MAGIC = b"!<thin>\n"
#: Names of archive symbol indexes that are not members (GNU 32/64-bit, BSD/Apple).
SYMBOL_INDEX_NAMES = frozenset({b"/", b"/SYM64/", b"__.SYMDEF", b"__.SYMDEF SORTED",
                                b"__.SYMDEF_64", b"__.SYMDEF_64 SORTED"})
_HEADER_LEN = 60


@dataclasses.dataclass(frozen=True, slots=True)
class Member:
    """One file stored in an archive.

    Attributes:
        name: the member name, decoded as UTF-8 (undecodable bytes replaced),
            long names resolved, GNU's trailing ``/`` and BSD's NUL padding removed.
        offset: byte offset of the member's 60-byte header in the archive.
        data: the member's bytes.
    """

    name: str
    offset: int
    data: bytes


def is_archive(head: bytes) -> bool:
    """True when ``head`` (the first 8 bytes of a file) is an ``ar`` or thin archive magic."""
    return head[:8] in (AR_MAGIC, THIN_MAGIC)


def iter_members(path: str | os.PathLike) -> Iterator[Member]:
    """The members of the archive at ``path``, in archive order, symbol indexes skipped.

    Args:
        path: an ``ar`` archive (GNU, BSD or GNU thin format).
    Yields:
        :class:`Member` for every stored file (name tables and symbol indexes
        are not members). Duplicate names are all yielded.
    Raises:
        ScanError: the file is not an archive, a member header is corrupt
            (bad magic, non-numeric or negative size, a long name that is not in
            the name table), or a member lies past the end of the file
            (truncated archive); the message names the archive and the offset.
    """
    import arpy  # only archives pay for its import (pathlib, typing)

    path = os.fspath(path)
    file_size = os.path.getsize(path)
    try:
        with open(path, "rb") as f:
            try:
                ar = arpy.Archive(fileobj=f)
            except arpy.ArchiveFormatError as exc:
                raise ScanError(f"not an ar archive ({exc})", location=path) from None
            thin = ar.file_data_class is arpy.ArchiveFileDataThin
            while True:
                offset = ar.next_header_offset
                try:
                    header = ar.read_next_header()
                except (arpy.ArchiveFormatError, ValueError) as exc:
                    raise ScanError(f"corrupt archive member header at byte {offset}: {exc}",
                                    location=path) from None
                if header is None:
                    break
                if header.size < 0:
                    raise ScanError(f"corrupt archive member header at byte {offset}: "
                                    f"negative size {header.size}", location=path)
                if header.type not in (arpy.HEADER_NORMAL, arpy.HEADER_BSD, arpy.HEADER_GNU):
                    continue  # the GNU symbol index or long-name table
                raw_name = header.name
                if header.type == arpy.HEADER_BSD:
                    raw_name = raw_name.rstrip(b"\0")
                if raw_name in SYMBOL_INDEX_NAMES:
                    continue
                name = raw_name.decode("utf-8", errors="replace")
                if thin:
                    # The data lives outside: the next header follows this one.
                    ar.next_header_offset = header.file_offset
                    data = _read_thin_member(path, name, offset)
                else:
                    end = header.file_offset + header.size
                    if end > file_size:
                        raise ScanError(f"archive member '{name}' at byte {offset} ends at byte "
                                        f"{end}, past the end of the file ({file_size} bytes): "
                                        f"truncated archive", location=path)
                    f.seek(header.file_offset)
                    data = f.read(header.size)
                yield Member(name, offset, data)
    except OSError as exc:
        raise ScanError(f"cannot read: {exc.strerror or exc}", location=path) from None


def _read_thin_member(archive: str, name: str, offset: int) -> bytes:
    """The bytes of a thin archive's member, stored at ``name`` relative to the archive."""
    member_path = os.path.join(os.path.dirname(archive), name)
    if "\0" in name:  # open() would raise ValueError: a corrupt name table, not a path
        raise ScanError(f"thin archive member name at byte {offset} holds a NUL byte: corrupt archive",
                        location=archive)
    try:
        with open(member_path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise ScanError(f"thin archive member '{name}' (header at byte {offset}): "
                        f"cannot read {member_path}: {exc.strerror or exc}",
                        location=archive) from None
