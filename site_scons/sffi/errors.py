"""Errors and exit statuses shared by the sffi modules and the command line.

Exit statuses are bit flags, after libabigail's ``abidiff`` (abidiff(1),
"Return values"): 1 error, 2 bad usage (always with 1), 4 a change or warning
worth review, 8 an incompatibility (always with 4).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2 | EXIT_ERROR
EXIT_REVIEW = 4
EXIT_INCOMPATIBLE = 8 | EXIT_REVIEW


class SffiError(Exception):
    """A user-facing error: bad input, a failed check, a missing file.

    The message is complete and fit to print as one line (or a few, for
    errors that show two places). ``location`` is ``file:line:col`` (or a
    shorter prefix) when the error points into a file, else ``""``.
    ``status`` is the exit status the command line returns for it.
    """

    def __init__(self, message: str, location: str = "", status: int = EXIT_ERROR):
        self.message, self.location, self.status = message, location, status
        super().__init__(f"{location}: {message}" if location else message)


class ScanError(SffiError):
    """A file that cannot be read as an object, archive or shared object."""
