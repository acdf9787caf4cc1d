"""The symbol model shared by the readers: :class:`Symbol`, :class:`ScanResult`, filters.

Field values are the ELF gABI's (System V ABI, "Symbol Table" in chapter 4),
spelled in lower case without their prefixes: ``STT_FUNC`` is ``'func'``,
``STB_WEAK`` is ``'weak'``, ``STV_HIDDEN`` is ``'hidden'``. GNU extensions:
``STT_GNU_IFUNC`` is ``'ifunc'``, ``STB_GNU_UNIQUE`` is ``'unique'``. A symbol
whose section index is ``SHN_COMMON`` (a tentative C definition compiled with
``-fcommon``) has type ``'common'`` whatever its ``st_info`` type says.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sffi.symbols.spelling import (BINDINGS, EXPORT_BINDINGS, EXPORT_VISIBILITIES,  # noqa: F401
                                   KINDS, TYPES, VISIBILITIES)


@dataclasses.dataclass(frozen=True, slots=True)
class Symbol:
    """One entry of an ELF symbol table (``.symtab`` for objects, ``.dynsym`` for shared objects).

    Attributes:
        name: the symbol name as stored (mangled; see :attr:`demangled`). For a
            relocatable object, a GNU ``.symver`` name ``foo@VER``/``foo@@VER`` is
            split into ``name='foo'`` and ``version='VER'``.
        type: ``'func'``, ``'object'``, ``'notype'``, ``'tls'``, ``'ifunc'`` or
            ``'common'`` (others as ``'type<N>'``).
        binding: ``'global'``, ``'weak'``, ``'local'`` or ``'unique'``.
        visibility: ``'default'``, ``'protected'``, ``'hidden'`` or ``'internal'``.
        size: ``st_size`` in bytes (0 where the producer did not record it,
            e.g. most undefined symbols and assembler labels).
        defined: False for ``SHN_UNDEF`` (the symbol is needed from elsewhere).
        member: the archive member that holds the symbol (``'foo.o'``), ``None``
            outside archives.
        version: the symbol version where present: for a shared object the
            ``.gnu.version``/``.gnu.version_d``/``.gnu.version_r`` entry
            (``'GLIBC_2.2.5'`` for an undefined ``printf``; the node of a version
            script for a definition), for an object file the ``@VER`` suffix.
            ``None`` for unversioned symbols (version index 0 or 1).
        version_hidden: True when the version is not the default one: the
            ``0x8000`` bit of the ``.gnu.version`` entry, or a single ``@`` in
            an object file. ``nm -D`` prints such symbols as ``name@VER``,
            default ones as ``name@@VER``. Such a definition only binds to
            references that ask for that version.
        value: ``st_value`` (an address in a shared object, a section offset in
            a relocatable object).
    """

    name: str
    type: str
    binding: str
    visibility: str
    size: int
    defined: bool
    member: str | None = None
    version: str | None = None
    version_hidden: bool = False
    value: int = 0

    @property
    def demangled(self) -> str:
        """The name demangled as C++ or Rust (see :func:`sffi.symbols.demangle.demangle`)."""
        from sffi.symbols.demangle import demangle
        return demangle(self.name)

    @property
    def is_export(self) -> bool:
        """True when the symbol is defined, global/weak/unique and default/protected visible."""
        return (self.defined and self.binding in EXPORT_BINDINGS
                and self.visibility in EXPORT_VISIBILITIES)

    @property
    def versioned_name(self) -> str:
        """The name with its version as ``nm -D`` (binutils >= 2.37) prints it.

        ``name@@VERSION`` for a definition of the default version,
        ``name@VERSION`` for a hidden version or a reference (undefined),
        ``name`` when unversioned, and for the absolute symbol a linker defines
        for each version node (``GLIBC_2.2.5`` of version ``GLIBC_2.2.5``).
        """
        if self.version is None or (self.name == self.version and self.defined):
            return self.name
        sep = "@" if self.version_hidden or not self.defined else "@@"
        return f"{self.name}{sep}{self.version}"

    def to_json(self) -> dict:
        """The symbol as a JSON-ready dict (keys are the field names; see docs/symbols.md)."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True, slots=True)
class ScanResult:
    """What one input holds.

    Attributes:
        path: the path as given to :func:`sffi.symbols.scan_file` (``str``).
        kind: ``'object'`` (ET_REL), ``'archive'`` (an ``ar`` archive of objects,
            also ``.rlib``), ``'shared'`` (ET_DYN) or ``'executable'`` (ET_EXEC).
        symbols: every symbol of interest, sorted stably by (member, name).
        members: for an archive, the names of the ELF members read, in archive
            order (non-ELF members such as rustc's ``lib.rmeta`` are skipped);
            empty otherwise.
    """

    path: str
    kind: str
    symbols: list[Symbol]
    members: tuple[str, ...] = ()


def sort_symbols(symbols: Iterable[Symbol]) -> list[Symbol]:
    """Symbols sorted stably by (member, name); ``None`` members sort first."""
    return sorted(symbols, key=lambda s: (s.member or "", s.name))


def exports(symbols: Iterable[Symbol]) -> list[Symbol]:
    """The symbols an input offers to others: :attr:`Symbol.is_export` ones, order kept.

    Args:
        symbols: e.g. ``scan(path)``.
    Returns:
        The defined symbols with binding global, weak or unique and visibility
        default or protected, in the order given.
    """
    return [s for s in symbols if s.is_export]


def undefined(symbols: Iterable[Symbol]) -> list[Symbol]:
    """The symbols an input needs from elsewhere (``SHN_UNDEF``), order kept.

    Args:
        symbols: e.g. ``scan(path)``.
    Returns:
        The undefined symbols (global or weak references), in the order given.
    """
    return [s for s in symbols if not s.defined]
