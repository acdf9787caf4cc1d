"""What a third-party ELF parser (pyelftools) raises on a damaged file, and how it becomes one line.

The reference reader (sffi.symbols.reference), the DWARF reader (sffi.dwarf) and the hardening
audit turn these exceptions into a ScanError whose message is :func:`one_line` of it.
Kept apart from sffi.symbols.elf so that the reference reader, which sffi.symbols.elf calls
where the C extension is not built, does not import it back (a circle).
"""

from __future__ import annotations

import struct

__all__ = ["PARSE_ERRORS", "one_line"]


def __getattr__(name: str):
    """``PARSE_ERRORS``: the exceptions a parser raises on bad input, a tuple built on first use,
    so that importing this module does not import pyelftools (about as long as ``nm`` takes for
    a small library)."""
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
