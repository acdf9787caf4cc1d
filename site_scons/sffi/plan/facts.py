"""Facts a build needs more than once, computed once per process.

A declaration file is read by the prototype header, the Rust signature crate,
the export check, every selection's table and the report; :func:`library_decls`
parses each library's files once per scons run and hands the same result to
all of them. The memo is keyed by each file's path, size and modification time,
so an edited file is parsed again (a long-lived process stays correct).
"""

from __future__ import annotations

import os

_DECLS: dict = {}


def _stamp(paths) -> tuple:
    out = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append((str(p), st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((str(p), None, None))  # parsing reports the missing file
    return tuple(out)


def library_decls(manifest) -> tuple:
    """``sffi.table.library_decls(manifest)``, parsed once per state of the declaration files.

    Returns:
        (sffi.table.LibraryDecls, warnings): as sffi.table.library_decls.
    Raises:
        SffiError / DeclarationError: as sffi.table.library_decls (not remembered).
    """
    from sffi import table  # here: an up-to-date build never parses, nor loads the parser
    key = (manifest.name, _stamp(manifest.declarations))
    if key not in _DECLS:
        _DECLS[key] = table.library_decls(manifest)
    return _DECLS[key]
