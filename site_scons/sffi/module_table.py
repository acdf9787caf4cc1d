"""The table and descriptor of a loadable FFI module (docs/modules.md).

A module ``libsffi_<lib>.so`` is one library's objects linked with the C
source written here: the same thunks and ``sffi_entry`` rows as the
compiled-in table (sffi.table), a descriptor ``sffi_module_descriptor``
(runtime/include/sffi_module.h) and the same facts as text in the ELF section
``.sffi_module``, which :func:`parse_section` reads back without loading the
module. Output depends only on the input.

Section text, one fact per line (ASCII, ``\\n``-terminated, then a NUL)::

    sffi-module 1
    abi_version 2
    library sqlite
    sffi_version 0.1.0
    digest sha256:<64 hex digits>
    build_id release
    rebuild scons runtime --modules=sqlite
    entry rt_sqlite_open (text) -> i64
    ...

``entry`` lines come in strcmp order of the names, one per extern.
"""

from __future__ import annotations

import dataclasses
import hashlib

from sffi import abi
from sffi import table
from sffi.errors import SffiError
from sffi.version import __version__

FORMAT = 1
SECTION = ".sffi_module"
SYMBOL = "sffi_module_descriptor"
#: the module's version script: the descriptor is its only export (docs/modules.md, "Building modules")
VERSION_SCRIPT = "{ global: sffi_module_descriptor; local: *; };\n"
_FIELDS = ("abi_version", "library", "sffi_version", "digest", "build_id", "rebuild")


@dataclasses.dataclass(frozen=True)
class ModuleFacts:
    """What a module says about itself: its section's fields and its entries.

    ``entries``: (name, canonical signature) pairs in strcmp order of the names.
    """

    abi_version: int
    library: str
    sffi_version: str
    digest: str
    build_id: str
    rebuild: str
    entries: tuple[tuple[str, str], ...]

    def as_json(self) -> dict:
        """A JSON-ready dict: the fields, ``"format": "sffi-module/1"`` and ``entries`` as objects."""
        doc = {f: getattr(self, f) for f in _FIELDS}
        doc["format"] = f"sffi-module/{FORMAT}"
        doc["entries"] = [{"name": n, "signature": s} for n, s in self.entries]
        return doc


def declarations_digest(library: table.LibraryDecls) -> str:
    """``sha256:<hex>`` of the library's declarations (their source lines, sorted by name).

    Parameter names count (a reordered parameter list changes the digest);
    where a declaration sits does not.
    """
    lines = [library.declarations[n].source() + "\n" for n in sorted(library.declarations, key=str.encode)]
    return "sha256:" + hashlib.sha256("".join(lines).encode()).hexdigest()


def facts(library: table.LibraryDecls, build_id: str = "unspecified", rebuild: str | None = None,
          abi_version: int = abi.ABI_VERSION) -> ModuleFacts:
    """The facts a module of ``library`` carries.

    Args:
        build_id: names the build that made the module (e.g. ``"release"``).
        rebuild: the command that rebuilds it (default ``scons runtime --modules=<lib>``).
        abi_version: the SFFI ABI version it claims (tests build other versions).
    """
    entries = tuple((d.name, d.signature) for _, d in table.sorted_entries([library]))
    return ModuleFacts(abi_version, library.name, __version__, declarations_digest(library), build_id,
                       rebuild or f"scons runtime --modules={library.name}", entries)


def section_text(f: ModuleFacts) -> str:
    """The ``.sffi_module`` section's text for ``f`` (module docstring)."""
    lines = [f"sffi-module {FORMAT}"] + [f"{name} {getattr(f, name)}" for name in _FIELDS]
    lines += [f"entry {name} {sig}" for name, sig in f.entries]
    return "".join(line + "\n" for line in lines)


def parse_section(text: str, where: str = "module") -> ModuleFacts:
    """Read a ``.sffi_module`` section's text back (the inverse of :func:`section_text`).

    Raises:
        SffiError: naming ``where`` and the line, for another format, a missing
            or unknown field, or a malformed line.
    """
    lines = text.rstrip("\0").splitlines()
    if not lines or lines[0] != f"sffi-module {FORMAT}":
        raise SffiError(f"{where}: section {SECTION} does not start with 'sffi-module {FORMAT}' "
                        f"(found {lines[0][:40]!r})" if lines else f"{where}: section {SECTION} is empty")
    fields, entries = {}, []
    for number, line in enumerate(lines[1:], start=2):
        key, _, value = line.partition(" ")
        if key == "entry" and " " in value:
            entries.append(tuple(value.split(" ", 1)))
        elif key in _FIELDS and key not in fields:
            fields[key] = value
        else:
            raise SffiError(f"{where}: section {SECTION} line {number}: unexpected {line[:60]!r}")
    missing = [k for k in _FIELDS if k not in fields]
    if missing:
        raise SffiError(f"{where}: section {SECTION} lacks {', '.join(missing)}")
    if not fields["abi_version"].isdigit():
        raise SffiError(f"{where}: section {SECTION}: abi_version {fields['abi_version']!r} is not a number")
    fields["abi_version"] = int(fields["abi_version"])
    return ModuleFacts(entries=tuple(entries), **fields)


def _c_bytes(text: str) -> str:
    """``text`` as C string literals, one per line of it."""
    return "\n".join(f"    {table.c_string(line)}" for line in text.splitlines(keepends=True))


_HOST = """\
/* The runtime's sffi_set_error, handed over by attach(): the library's calls
 * to sffi_set_error reach the runtime without the runtime exporting symbols. */
static void (*host_set_error)(const char *msg);

void sffi_set_error(const char *msg)
{
    if (host_set_error)
        host_set_error(msg);
}

static void attach(const sffi_module_host *host)
{
    host_set_error = host->set_error;
}

"""


def generate_c(library: table.LibraryDecls, f: ModuleFacts) -> str:
    """The module's C source: thunks, entries, section and descriptor.

    Args:
        library: the library's declarations (sffi.table.library_decls).
        f: its facts (:func:`facts`), written into the section and the descriptor.

    Returns:
        C11 source that compiles with ``-fPIC -Wall -Wextra -Werror`` against
        runtime/include and defines ``sffi_module_descriptor`` and ``sffi_set_error``.
    """
    entries = table.sorted_entries([library])
    rows = table.entry_rows(entries)
    desc = ", ".join([table.c_string("SFFIMOD"), "sizeof(sffi_module_desc)", str(f.abi_version),
                      *(table.c_string(getattr(f, k)) for k in _FIELDS[1:]), "entries", str(len(rows)),
                      "attach"])
    return "".join([
        "/* Generated by sffi (module table) from the Tier-2 declarations. Do not edit. */\n",
        f"/* FFI module of library '{library.name}' (docs/modules.md) */\n\n",
        "#include <stddef.h>\n\n#include \"sffi_module.h\"\n\n",
        table.thunks_source(entries),
        "static const sffi_entry entries[] = {\n", "".join(rows) or f"    {table.EMPTY_ENTRY},\n", "};\n\n",
        _HOST,
        f"__attribute__((used, section(\"{SECTION}\")))\nstatic const char sffi_module_section[] =\n",
        _c_bytes(section_text(f)), ";\n\n",
        f"const sffi_module_desc {SYMBOL} = {{{desc}}};\n",
    ])


def read_module(path) -> tuple[ModuleFacts, str | None]:
    """The facts of the module file at ``path``, read from its ``.sffi_module``
    section without loading it, and its GNU build-id (hex) if it has one.

    Raises:
        SffiError: the file cannot be read, is not ELF, is truncated, or has
            no (or a malformed) ``.sffi_module`` section.
    """
    from elftools.common.exceptions import ELFError
    from elftools.construct.core import ConstructError
    from elftools.elf.elffile import ELFFile

    try:
        with open(path, "rb") as fh:
            elf = ELFFile(fh)
            section = elf.get_section_by_name(SECTION)
            if section is None:
                raise SffiError(f"{path}: no {SECTION} section: not an FFI module built by sffi")
            data = section.data()
            build_id = _gnu_build_id(elf)
    except OSError as exc:
        raise SffiError(f"{path}: cannot read it: {exc.strerror}") from None
    except (ELFError, ConstructError, ValueError, EOFError) as exc:  # not ELF, or cut short
        raise SffiError(f"{path}: not a readable ELF file ({exc})") from None
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise SffiError(f"{path}: section {SECTION} is not ASCII text") from None
    return parse_section(text, str(path)), build_id


def _gnu_build_id(elf) -> str | None:
    section = elf.get_section_by_name(".note.gnu.build-id")
    for note in section.iter_notes() if section is not None else ():
        if note["n_type"] == "NT_GNU_BUILD_ID":
            return note["n_desc"]
    return None
