"""How symbol fields are spelled: the ELF gABI's names in lower case, without their prefixes.

``STT_FUNC`` is ``'func'``, ``STB_WEAK`` is ``'weak'``, ``STV_HIDDEN`` is
``'hidden'`` (System V ABI, "Symbol Table" in chapter 4); GNU extensions:
``STT_GNU_IFUNC`` is ``'ifunc'``, ``STB_GNU_UNIQUE`` is ``'unique'``. Kept apart
from sffi.symbols.model so that the decoder does not import ``dataclasses``.
"""

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
