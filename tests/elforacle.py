"""Exported symbols as GNU binutils' ``readelf`` reads them: an oracle independent of sffi's scanner.

Tests that check what a built module or archive exports compare with this rather than with
``sffi.symbols`` (the code under test). ``readelf`` rather than ``nm``: GNU nm on these
machines lists almost nothing in rustc's archives (its LLVM bitcode plugin fails; see
/work/shared/DESIGN.md, "Linking Rust crates"), readelf reads the ELF symbol tables as they are.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

# "   Num:    Value          Size Type    Bind   Vis      Ndx Name"
_ROW = re.compile(r"^\s*\d+:\s+[0-9a-f]+\s+\S+\s+(\w+)\s+(\w+)\s+(\w+)\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", re.M)


def exported(path: Path, dynamic: bool | None = None) -> set[str]:
    """Names (without ``@version``) of the defined GLOBAL/WEAK/GNU_UNIQUE symbols of DEFAULT or
    PROTECTED visibility in ``path``: ``readelf -W --dyn-syms`` for a shared object (what
    ``nm -D --defined-only`` lists), ``readelf -W -s`` (every member) for an object or archive.

    Args:
        path: an ELF object, shared object or ``ar`` archive of objects.
        dynamic: read the dynamic symbol table (default: when ``path`` ends in ``.so``).

    Raises:
        subprocess.CalledProcessError: readelf failed (not an ELF file, or missing).
    """
    dynamic = path.suffix == ".so" or ".so." in path.name if dynamic is None else dynamic
    out = subprocess.run(["readelf", "-W", "--dyn-syms" if dynamic else "-s", str(path)],
                         capture_output=True, text=True, check=True).stdout
    names = set()
    for _type, bind, vis, ndx, name in _ROW.findall(out):
        if ndx != "UND" and bind in ("GLOBAL", "WEAK", "UNIQUE") and vis in ("DEFAULT", "PROTECTED"):
            names.add(name.split("@", 1)[0])
    return names
