"""How symbol fields are spelled: the ELF gABI's names in lower case, without their prefixes.

``STT_FUNC`` is ``'func'``, ``STB_WEAK`` is ``'weak'``, ``STV_HIDDEN`` is
``'hidden'`` (System V ABI, "Symbol Table" in chapter 4); GNU extensions:
``STT_GNU_IFUNC`` is ``'ifunc'``, ``STB_GNU_UNIQUE`` is ``'unique'``. Also the row format
the readers share (field positions, the version constants, the split of an object's
``.symver`` names). Kept apart from sffi.symbols.model so that the decoder does not import
``dataclasses``.
"""

from __future__ import annotations

#: st_info type (low 4 bits) -> our spelling. STT_SECTION and STT_FILE are never
#: reported; other processor/OS-specific types are shown as ``'type<N>'``.
TYPES = {0: "notype", 1: "object", 2: "func", 3: "section", 4: "file", 5: "common",
         6: "tls", 10: "ifunc"}
#: st_info binding (high 4 bits) -> our spelling.
BINDINGS = {0: "local", 1: "global", 2: "weak", 10: "unique"}
#: st_other & 3 -> our spelling (gABI: only the low two bits are the visibility).
VISIBILITIES = {0: "default", 1: "internal", 2: "hidden", 3: "protected"}

#: The bindings that make a defined symbol visible to the static linker from
#: other objects. ``unique`` (STB_GNU_UNIQUE, g++'s inline/template static data)
#: is a GNU variant of ``global`` and counted with it.
EXPORT_BINDINGS = frozenset({"global", "weak", "unique"})
#: The visibilities that let a symbol out of its shared object or final link.
EXPORT_VISIBILITIES = frozenset({"default", "protected"})

#: The kinds of input :func:`sffi.symbols.scan_file` reports.
KINDS = ("object", "archive", "shared", "executable")

#: Row field positions (the order of sffi.symbols.model.Symbol's fields): the rows and columns of
#: sffi.symbols.symtab and the reference readers.
NAME, TYPE, BINDING, VISIBILITY, SIZE, DEFINED, MEMBER, VERSION, VERSION_HIDDEN, VALUE = range(10)

#: Section indexes (gABI): an undefined symbol's, a ``-fcommon`` tentative definition's.
SHN_UNDEF, SHN_COMMON = 0, 0xFFF2
#: ``.gnu.version``: the bit of a hidden (non-default) version; indexes up to this one mean
#: unversioned (0 ``VER_NDX_LOCAL``, 1 ``VER_NDX_GLOBAL``; LSB Core, "Symbol Versioning").
VERSYM_HIDDEN = 0x8000
VER_NDX_GLOBAL = 1
#: The version of a symbol whose ``.gnu.version`` index names no version that
#: ``.gnu.version_d``/``.gnu.version_r`` define (a corrupt index, or a damaged definition):
#: what ``nm -D`` prints, never "unversioned" (a diff would then hide a change; issue 24).
CORRUPT_VERSION = "<corrupt>"


def split_symver(name: str) -> tuple[str, str | None, bool]:
    """A relocatable object's GNU ``.symver`` name split: ``foo@@V`` -> (foo, V, False);
    ``foo@V`` -> (foo, V, True); ``foo`` (or ``@V``, ``foo@``) -> (foo, None, False)."""
    base, at, rest = name.partition("@")
    if not at or not base or not rest.strip("@"):
        return name, None, False
    if rest.startswith("@"):
        return base, rest.lstrip("@"), False
    return base, rest, True
