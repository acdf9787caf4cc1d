"""Library selections: parsing ``--with=`` and naming their variant directories."""

from __future__ import annotations

from sffi.errors import EXIT_USAGE, SffiError

CORE = "core"


def parse_with(value: str, known: list[str]) -> list[str]:
    """The selected libraries for ``--with=VALUE``, sorted, ``core`` always included.

    Args:
        value: ``"none"``, ``"all"`` or ``"LIB[,LIB...]"`` (spaces ignored).
        known: every library name found under ffi_libs/.

    Raises:
        SffiError: an empty or unknown name; the message lists the known libraries.
    """
    names = [n.strip() for n in value.split(",")]
    if names == ["none"]:
        chosen = set()
    elif names == ["all"]:
        chosen = set(known)
    else:
        bad = [n for n in names if n not in known]
        if bad:
            listing = ", ".join(known)
            raise SffiError(f"--with: unknown library {', '.join(repr(b) for b in bad)}; "
                            f"known libraries: {listing} (or all, none)", status=EXIT_USAGE)
        chosen = set(names)
    return sorted(chosen | {CORE})


def variant_name(selection: list[str]) -> str:
    """The directory name of a selection: ``core`` or ``core+sqlite+torch``."""
    return "+".join([CORE] + [n for n in sorted(selection) if n != CORE])
