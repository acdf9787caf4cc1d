"""The signature check: each declaration's lowering against its DWARF prototype.

:func:`check_declarations` joins the package's parts: it reads the
prototypes an artifact defines (:mod:`sffi.dwarf.reader`), lowers each
declaration (:mod:`sffi.dwarf.lowering`) and compares the two
(:mod:`sffi.dwarf.comparison`). docs/abi.md, "Signature checks from DWARF".
"""

from __future__ import annotations

from sffi.dwarf.comparison import compare
from sffi.dwarf.lowering import lower
from sffi.dwarf.model import Mismatch
from sffi.dwarf.reader import read_prototypes


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
