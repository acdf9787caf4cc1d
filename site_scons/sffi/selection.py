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


def parse_modules(value: str, known: list[str], linked: list[str]) -> list[str]:
    """The libraries to build as loadable modules for ``--modules=VALUE`` (docs/modules.md), sorted.

    Args:
        value: ``""`` or ``"none"`` (no modules), ``"all"`` (every known library
            that is not linked in, core never), or ``"LIB[,LIB...]"``.
        known: every library name found under ffi_libs/.
        linked: the ``--with`` selection (parse_with).

    Raises:
        SffiError: an unknown name, ``core``, or a library also linked in.
    """
    names = [n.strip() for n in value.split(",")] if value.strip() else ["none"]
    if names == ["none"]:
        return []
    if names == ["all"]:
        return sorted(n for n in known if n not in linked and n != CORE)
    bad = [n for n in names if n not in known or n == CORE]
    if bad:
        listing = ", ".join(n for n in known if n != CORE)
        raise SffiError(f"--modules: unknown library {', '.join(repr(b) for b in bad)}; "
                        f"libraries that can be modules: {listing} (or all, none)", status=EXIT_USAGE)
    both = [n for n in names if n in linked]
    if both:
        raise SffiError(f"--modules: {', '.join(both)} also given to --with; a library is either linked in "
                        "or a module", status=EXIT_USAGE)
    return sorted(set(names))
