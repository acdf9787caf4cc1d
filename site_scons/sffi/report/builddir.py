"""Reading one finished build (the layout is sffi.plan.layout's, docs/cli.md).

A *selection directory* ``build/<variant>/sel/<selection>/`` holds the extern
table ``sffi_table.json`` and the runtime ``simple``; the libraries it was linked
from lie in ``build/<variant>/libs/<library>/`` (``libsffi_<lib>.a`` for C/C++,
``lib<crate>.rlib`` for Rust, and ``<lib>.check.json``).
"""

from __future__ import annotations

import json
from pathlib import Path

from sffi.plan import layout
from sffi.errors import SffiError

TABLE = layout.TABLE_JSON
RUNTIME = layout.RUNTIME
TABLE_FORMAT = "sffi-table/1"


def selection_dir(path: str | Path) -> Path:
    """The selection directory a path names.

    Args:
        path: a selection directory, or a variant/build directory that holds
            exactly one ``sel/<selection>/`` (``build/release``), searched one
            and two levels down (``build/``).
    Returns:
        The directory holding ``sffi_table.json``.
    Raises:
        SffiError: not a directory, no build in it, or several (they are listed).
    """
    root = Path(path)
    if not root.is_dir():
        raise SffiError(f"{root}: not a build directory")
    if (root / TABLE).is_file():
        return root
    found = layout.selection_dirs(root)
    if len(found) == 1:
        return found[0]
    if not found:
        raise SffiError(f"{root}: no {TABLE} here or under sel/*/: build it first (`scons runtime --with=...`)")
    listing = "\n  ".join(str(p) for p in found)
    raise SffiError(f"{root} holds {len(found)} builds; name one of them:\n  {listing}")


def load_table(path: str | Path) -> dict:
    """A parsed ``sffi_table.json`` (format ``sffi-table/1``, docs/abi.md).

    Raises:
        SffiError: unreadable, not JSON, or another format.
    """
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SffiError(f"{path}: cannot read the extern table: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != TABLE_FORMAT:
        raise SffiError(f"{path}: not an extern table (expected \"format\": \"{TABLE_FORMAT}\", "
                        "as `scons runtime` writes into build/<variant>/sel/<selection>/)")
    _check_entries(path, doc)
    return doc


def _check_entries(path: Path, doc: dict) -> None:
    """Every entry has string name, library and signature; libraries is a list of strings."""
    libraries = doc.get("libraries", [])
    if not isinstance(libraries, list) or not all(isinstance(lib, str) for lib in libraries):
        raise SffiError(f"{path}: malformed extern table: 'libraries' must be a list of names; "
                        "regenerate it with scons")
    for i, entry in enumerate(doc.get("entries", [])):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str)
                                                  for k in ("name", "library", "signature")):
            raise SffiError(f"{path}: malformed extern table: entry {i} needs string "
                            "'name', 'library' and 'signature'; regenerate it with scons")


def library_artifacts(sel_dir: Path, library: str, hint: str = "rebuild it with `scons runtime`") -> list[Path]:
    """The built archive(s) of ``library`` for the build in ``sel_dir``, sorted.

    Args:
        sel_dir: a selection directory.
        library: a library of its table.
        hint: the end of the error message, what to do instead.
    Raises:
        SffiError: ``build/<variant>/libs/<library>/`` holds no ``.a`` or ``.rlib``.
    """
    libdir = layout.library_dir(sel_dir, library)
    found = layout.artifacts_in(libdir)
    if not found:
        raise SffiError(f"{sel_dir}: library '{library}' is in the table but {libdir}/ "
                        f"holds no built archive: {hint}")
    return found


def last_built(build_root: str | Path = layout.BUILD_ROOT) -> Path:
    """The selection directory of the runtime last installed as ``build/bin/simple``.

    SConstruct copies the runtime with its modification time (shutil.copy2),
    so the match is by size and mtime, not by content.

    Raises:
        SffiError: nothing installed yet, or no selection directory matches.
    """
    root = Path(build_root)
    installed = layout.installed_runtime(root)
    if not installed.is_file():
        raise SffiError(f"{installed} does not exist: build a runtime first (`scons runtime --with=...`) "
                        "or name a build directory")
    st = installed.stat()
    for candidate in layout.runtimes(root):
        cs = candidate.stat()
        if (cs.st_size, cs.st_mtime_ns) == (st.st_size, st.st_mtime_ns):
            return candidate.parent
    raise SffiError(f"{installed} matches no build under {root}/*/sel/: name a build directory")
