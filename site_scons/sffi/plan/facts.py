"""Facts a build needs more than once, computed once per process.

A declaration file is read by the prototype header, the Rust signature crate,
the export check, every selection's table and the report; each file is parsed
once per process (sffi.decls.parse_file, the one memo nothing bypasses).
:func:`library_decls` only keeps the parser out of an up-to-date build.
"""

from __future__ import annotations


def library_decls(manifest) -> tuple:
    """``sffi.table.library_decls(manifest)``; the parser is imported on first use.

    Returns:
        (sffi.table.LibraryDecls, warnings): as sffi.table.library_decls.
    Raises:
        SffiError / DeclarationError: as sffi.table.library_decls.
    """
    from sffi import table  # here: an up-to-date build never parses, nor loads the parser
    return table.library_decls(manifest)
