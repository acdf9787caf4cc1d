"""Hand-made ELF shared objects for the symbol-reader tests (hostile shapes no toolchain emits).

:func:`shared_object` writes an ELF64 little-endian ``ET_DYN`` file with only what
sffi.symbols reads: a ``.dynsym`` and its ``.dynstr``, optionally ``.gnu.version`` and a
``.gnu.version_d`` (gABI ``Elf64_Ehdr``/``Elf64_Shdr``/``Elf64_Sym``; the LSB's
``Elf64_Verdef``/``Elf64_Verdaux``), and a ``.shstrtab``. No program headers: the readers
work from the section headers, as ``readelf -s`` and ``nm -D`` do.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SHT_STRTAB, SHT_DYNSYM = 3, 11
SHT_GNU_VERDEF, SHT_GNU_VERSYM = 0x6FFFFFFD, 0x6FFFFFFF
STB_GLOBAL, STT_FUNC = 1, 2
_SYM = struct.Struct("<IBBHQQ")
_SHDR = struct.Struct("<IIQQQQIIQQ")
_VERDEF = struct.Struct("<HHHHIII")
_VERDAUX = struct.Struct("<II")


@dataclass
class Sym:
    """One ``.dynsym`` entry: ``name`` is an offset into ``.dynstr`` when an int."""

    name: str | int
    size: int = 0
    versym: int | None = None   # its ``.gnu.version`` index (None: 1, global)
    info: int = STB_GLOBAL << 4 | STT_FUNC
    other: int = 0              # st_other (visibility: the low two bits)
    shndx: int = 1              # 0: undefined, 0xfff2: SHN_COMMON


@dataclass
class SharedObject:
    """What :func:`shared_object` writes; ``verdefs`` are (index, name) of ``.gnu.version_d``."""

    symbols: list[Sym]
    strings: list[str] = field(default_factory=list)   # extra .dynstr strings, in order
    verdefs: list[tuple[int, str]] = field(default_factory=list)
    versions: bool = False                              # write .gnu.version
    dynstr_header: tuple[int, int] | None = None        # (sh_offset, sh_size) for .dynstr's header instead


def _strtab(strings: list[str]) -> tuple[bytes, dict[str, int]]:
    data, at = bytearray(b"\0"), {"": 0}
    for s in strings:
        if s not in at:
            at[s] = len(data)
            data += s.encode() + b"\0"
    return bytes(data), at


def shared_object(so: SharedObject) -> bytes:
    """The bytes of an ELF64 LE shared object holding ``so``'s symbols (entry 0 is the null one)."""
    names = [s.name for s in so.symbols if isinstance(s.name, str)] + [n for _, n in so.verdefs] + so.strings
    dynstr, at = _strtab(names)
    dynsym = _SYM.pack(0, 0, 0, 0, 0, 0) + b"".join(
        _SYM.pack(s.name if isinstance(s.name, int) else at[s.name], s.info, s.other, s.shndx, 0x1000, s.size)
        for s in so.symbols)
    sections = [(".dynstr", SHT_STRTAB, dynstr, 0, 0, 0), (".dynsym", SHT_DYNSYM, dynsym, 1, 1, 24)]
    if so.versions:
        versym = struct.pack(f"<{len(so.symbols) + 1}H", 0, *(1 if s.versym is None else s.versym
                                                              for s in so.symbols))
        sections.append((".gnu.version", SHT_GNU_VERSYM, versym, 2, 0, 2))
    if so.verdefs:
        verdef = bytearray()
        for i, (ndx, name) in enumerate(so.verdefs):
            last = i + 1 == len(so.verdefs)
            verdef += _VERDEF.pack(1, 1 if ndx == 1 else 0, ndx, 1, 0, _VERDEF.size,
                                   0 if last else _VERDEF.size + _VERDAUX.size)
            verdef += _VERDAUX.pack(at[name], 0)
        sections.append((".gnu.version_d", SHT_GNU_VERDEF, bytes(verdef), 1, len(so.verdefs), 0))
    shstr, shat = _strtab([s[0] for s in sections] + [".shstrtab"])
    sections.append((".shstrtab", SHT_STRTAB, shstr, 0, 0, 0))
    body, offsets = bytearray(), []
    for _, _, data, _, _, _ in sections:
        body += b"\0" * (-(64 + len(body)) % 8)
        offsets.append(64 + len(body))
        body += data
    body += b"\0" * (-(64 + len(body)) % 8)
    shoff = 64 + len(body)
    places = [(off, len(data)) for (_, _, data, _, _, _), off in zip(sections, offsets)]
    if so.dynstr_header is not None:
        places[0] = so.dynstr_header
    headers = _SHDR.pack(*[0] * 10) + b"".join(
        _SHDR.pack(shat[name], kind, 0, 0, off, size, link, info, 8, entsize)
        for (name, kind, _, link, info, entsize), (off, size) in zip(sections, places))
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    header = ident + struct.pack("<HHIQQQIHHHHHH", 3, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64,
                                 len(sections) + 1, len(sections))
    return header + bytes(body) + headers
