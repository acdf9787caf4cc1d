"""Evidence that a built library's exports have their declared C signatures.

ELF symbol tables carry no types, and DWARF with parameter types (``-g``)
is too large to read for libraries like libtorch's wrappers, so signatures are
checked by the compiler when the SCons build compiles each library (docs/abi.md):

* C/C++: every source is compiled with ``build/<v>/libs/<lib>/sffi_exports_<lib>.h``
  force-included, the prototypes generated from the declarations;
* Rust: ``build/<v>/rust/<crates>/signatures/lib.rs`` coerces each export to its
  declared ``extern "C" fn`` type, and ``checked.txt`` is written when it compiles.

This module tells whether such evidence exists for the *current* declarations.
The build records a digest of what the compiler checked, written only after
that compile succeeded: the C/C++ prototype header's SHA-256 in the library's
``<lib>.check.json`` (the check runs after the archive is built), the Rust
check crate's ``lib.rs`` SHA-256 in ``checked.txt``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sffi import table
from sffi.plan import kinds, layout
from sffi.manifest import Manifest

VERIFIED = "verified"
STALE = "stale"
UNVERIFIED = "unverified"


def evidence(manifest: Manifest, declarations: dict, artifact: Path) -> tuple[str, str]:
    """Signature evidence for one built library.

    Args:
        manifest: the library's manifest.
        declarations: its declarations, name -> Declaration (sffi.decls).
        artifact: the built archive the check scanned (under build/<v>/libs/<lib>/).

    Returns:
        (status, detail): status is ``"verified"`` (compiled against the
        current declarations), ``"stale"`` (compiled against other
        declarations: rebuild), or ``"unverified"`` (no build evidence, e.g.
        an artifact built elsewhere); detail is one line saying why.
    """
    lib = table.LibraryDecls(manifest.name, declarations)
    if not kinds.of(manifest).compiled_with_prototypes:
        return _rust_evidence(lib, artifact)
    report = layout.check_file(artifact.parent, manifest.name)
    if not report.is_file():
        return UNVERIFIED, f"no {report.name} beside {artifact.name}: not built by sffi's SCons build"
    recorded = json.loads(report.read_text(encoding="utf-8")).get("prototypes_sha256")
    if recorded != sha256(table.generate_prototypes(lib).encode()):
        return STALE, f"{artifact.name} was compiled against other declarations: rebuild the library"
    return VERIFIED, f"compiled with sffi_exports_{manifest.name}.h force-included"


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``: the digest the build records (sffi_rules, cargo tool)."""
    return hashlib.sha256(data).hexdigest()


def _rust_evidence(lib: table.LibraryDecls, artifact: Path) -> tuple[str, str]:
    # artifact: build/<v>/libs/<lib>/lib<crate>.rlib; checks: build/<v>/rust/<key>/signatures/
    variant_dir = layout.variant_dir_of(artifact.parent)
    crate = artifact.name[3:-5] if artifact.name.startswith("lib") and artifact.suffix == ".rlib" else ""
    expected = table.generate_rust_checks(crate, lib)
    candidates = layout.rust_signature_crates(variant_dir)
    for lib_rs in candidates:
        data = lib_rs.read_bytes()
        stamp = lib_rs.parent / "checked.txt"
        if expected in data.decode("utf-8") and stamp.is_file() and stamp.read_text().strip() == sha256(data):
            return VERIFIED, f"type-checked by {lib_rs}"
    if candidates:
        return STALE, "no compiled signature check matches the current declarations: rebuild"
    return UNVERIFIED, f"no signature check under {variant_dir}/rust/: not built by sffi's SCons build"
