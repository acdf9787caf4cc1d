"""The signature check: each declaration's lowering against its DWARF prototype.

:func:`check_declarations` joins the package's parts (:func:`check_artifacts`
does it for each file of a library): it reads the
prototypes an artifact defines (:mod:`sffi.dwarf.reader`), lowers each
declaration (:mod:`sffi.dwarf.lowering`) and compares the two
(:mod:`sffi.dwarf.comparison`). docs/abi.md, "Signature checks from DWARF".
"""

from __future__ import annotations

from sffi.dwarf.comparison import compare
from sffi.dwarf.lowering import lower
from sffi.dwarf.model import Mismatch
from sffi.dwarf.reader import has_debug_info, read_prototypes


def check_declarations(declarations: dict, path) -> tuple[dict[str, list[Mismatch]], list[str]]:
    """Compare declarations with the DWARF prototypes of the functions ``path`` defines.

    Args:
        declarations: name -> sffi.decls.Declaration.
        path: a built ``.o``/``.a``/``.rlib``/``.so`` (with debug info).
    Returns:
        (name -> mismatches for each name whose prototype was found, an empty
        list meaning it matches; the names with no DWARF prototype in ``path``,
        sorted).
    Raises:
        ScanError: as :func:`~sffi.dwarf.reader.read_prototypes`.
    """
    found = read_prototypes(path, declarations.keys())
    checked = {name: compare(lower(decl), found[name])
               for name, decl in declarations.items() if name in found}
    return checked, sorted(n for n in declarations if n not in found)


def check_artifacts(declarations: dict, artifacts, progress=None) -> dict[str, list[Mismatch]] | None:
    """:func:`check_declarations` over a library's artifacts, each name taken from the first that defines it.

    Args:
        declarations: name -> sffi.decls.Declaration (the exported ones).
        artifacts: the library's built files (``pathlib.Path``); those without
            debug info are skipped.
        progress: called with one line before each artifact is read (reading
            takes about 2 s per 3 MB object with ``-g``), or None.
    Returns:
        None when no artifact has debug info, else name -> mismatches for each
        name whose prototype was found (an empty list meaning it matches).
    Raises:
        ScanError: as :func:`~sffi.dwarf.reader.read_prototypes`.
    """
    with_debug = [a for a in artifacts if has_debug_info(a)]
    if not with_debug:
        return None
    remaining, found = dict(declarations), {}
    for artifact in with_debug:
        if not remaining:
            break
        if progress:
            progress(f"reading the debug info of {artifact} ({artifact.stat().st_size / 1e6:.1f} MB)")
        checked, _absent = check_declarations(remaining, artifact)
        found.update(checked)
        remaining = {n: d for n, d in remaining.items() if n not in checked}
    return found
