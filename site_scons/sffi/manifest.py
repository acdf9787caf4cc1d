"""FFI library manifests: ``ffi_libs/<name>/sffi.toml`` (format: docs/manifest.md).

Read with the standard library's :mod:`tomllib`; every validation error names
the file, the key and what was expected.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

from sffi.errors import SffiError

MANIFEST_NAME = "sffi.toml"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclasses.dataclass(frozen=True)
class Dependency:
    """One external dependency: ``kind`` is ``"pkg-config"`` or ``"detector"``,
    ``name`` the pkg-config package or the module ``sffi/toolchain/<name>.py``,
    ``install`` the command a user runs to install it (may be empty)."""

    kind: str
    name: str
    install: str = ""


@dataclasses.dataclass(frozen=True)
class Manifest:
    """A validated library manifest. Paths are absolute.

    Attributes:
        path: the sffi.toml file.
        name: library name, used in ``--with=`` and in the table.
        prefix: symbol prefix of its exports (``rt_<name>_`` by convention).
        kind: the name of its kind; what each kind is, and which input it needs, is decided
            by sffi.plan.kinds alone (``kinds.of(manifest)`` checks both).
        description: one line for ``scons -h`` and reports.
        declarations: the Tier-2 ``.spl`` files.
        crate: directory holding Cargo.toml (a Rust crate), else None.
        sources: source globs relative to the library directory (sources SCons compiles).
        cflags, cxxflags, cppdefines: extra compile settings from ``[build]``.
        dependencies: external dependencies, in manifest order.
        link_libs: ``-l`` names from ``[link] libs``.
        prefer_static: link static system archives where they exist.
    """

    path: Path
    name: str
    prefix: str
    kind: str
    description: str
    declarations: tuple[Path, ...]
    crate: Path | None
    sources: tuple[str, ...]
    cflags: tuple[str, ...]
    cxxflags: tuple[str, ...]
    cppdefines: tuple[str, ...]
    dependencies: tuple[Dependency, ...]
    link_libs: tuple[str, ...]
    prefer_static: bool

    @property
    def root(self) -> Path:
        """The library directory (the manifest's folder)."""
        return self.path.parent

    @property
    def crate_name(self) -> str:
        """The Rust crate's name as code refers to it (``[lib] name`` or the package
        name, ``-`` as ``_``); a library with a ``crate`` only.

        Raises:
            SffiError: Cargo.toml is unreadable or names no package.
        """
        return _crate_name(self.crate)

    def source_files(self) -> list[Path]:
        """The sources matched by ``sources``, sorted; raises SffiError if a glob matches nothing."""
        files: list[Path] = []
        for pattern in self.sources:
            matched = sorted(p for p in self.root.glob(pattern) if p.is_file())
            if not matched:
                raise SffiError(f"key 'sources': pattern '{pattern}' matches no file in {self.root}",
                                str(self.path))
            files.extend(matched)
        return files


class _Reader:
    """Typed access to one TOML table, raising SffiError that names file and key."""

    def __init__(self, path: Path, table: dict, prefix: str = ""):
        self.path, self.table, self.prefix = path, table, prefix

    def fail(self, key: str, expected: str, got=None) -> SffiError:
        got_text = "" if got is None else f", got {got!r}"
        return SffiError(f"key '{self.prefix}{key}': expected {expected}{got_text}", str(self.path))

    def check_keys(self, allowed: tuple[str, ...]) -> None:
        for key in self.table:
            if key not in allowed:
                raise SffiError(f"unknown key '{self.prefix}{key}' (known keys: {', '.join(allowed)})",
                                str(self.path))

    def string(self, key: str, required: bool = True, default: str = "") -> str:
        if key not in self.table:
            if required:
                raise self.fail(key, "a string (the key is missing)")
            return default
        value = self.table[key]
        if not isinstance(value, str) or not value:
            raise self.fail(key, "a non-empty string", value)
        return value

    def strings(self, key: str, required: bool = False) -> tuple[str, ...]:
        if key not in self.table:
            if required:
                raise self.fail(key, "a list of strings (the key is missing)")
            return ()
        value = self.table[key]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, "a list of non-empty strings", value)
        return tuple(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "true or false", value)
        return value

    def sub(self, key: str) -> "_Reader":
        value = self.table.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, "a table", value)
        return _Reader(self.path, value, f"{self.prefix}{key}.")


def load(path: str | Path) -> Manifest:
    """Load and validate one manifest.

    Args:
        path: the sffi.toml file, or the library directory holding it.

    Returns:
        The validated Manifest.

    Raises:
        SffiError: the file is missing or unreadable, is not valid TOML, or a
            key is missing, unknown or of the wrong type or value.
    """
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST_NAME
    path = path.resolve()
    return _validate(path, read_toml(path, "manifest", f"no manifest: {path} does not exist"))


def read_toml(path: Path, what: str, missing: str) -> dict:
    """A TOML file's top-level table (TOML 1.0, Python's tomllib).

    Args:
        path: the file (absolute, for messages).
        what: what the file is, for messages (``"manifest"``).
        missing: the whole message when the file does not exist.
    Raises:
        SffiError: missing, unreadable, or not valid TOML; the location is the file.
    """
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SffiError(missing) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SffiError(f"cannot read {what}: {exc}", str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise SffiError(f"invalid TOML: {exc}", str(path)) from None


def _validate(path: Path, data: dict) -> Manifest:
    top = _Reader(path, data)
    top.check_keys(("name", "prefix", "kind", "description", "declarations", "crate",
                    "sources", "build", "dependency", "link"))
    name = top.string("name")
    if not _NAME_RE.match(name):
        raise top.fail("name", "a lower-case identifier ([a-z][a-z0-9_]*)", name)
    prefix = top.string("prefix")
    if not prefix.startswith("rt_"):
        raise top.fail("prefix", "a symbol prefix starting with 'rt_'", prefix)
    kind = top.string("kind")  # which kinds exist, and what each needs: sffi.plan.kinds.of
    declarations = tuple(_existing(top, "declarations", rel) for rel in top.strings("declarations", required=True))
    if not declarations:
        raise top.fail("declarations", "at least one .spl file")
    crate, sources = _build_inputs(top)
    build = top.sub("build")
    build.check_keys(("cflags", "cxxflags", "cppdefines"))
    link = top.sub("link")
    link.check_keys(("libs", "prefer-static"))
    return Manifest(
        path=path, name=name, prefix=prefix, kind=kind,
        description=top.string("description", required=False),
        declarations=declarations, crate=crate, sources=sources,
        cflags=build.strings("cflags"), cxxflags=build.strings("cxxflags"),
        cppdefines=build.strings("cppdefines"),
        dependencies=_dependencies(path, data.get("dependency", [])),
        link_libs=link.strings("libs"), prefer_static=link.boolean("prefer-static", False),
    )


def _existing(reader: _Reader, key: str, rel: str) -> Path:
    target = (reader.path.parent / rel).resolve()
    if not target.exists():
        raise reader.fail(key, f"a path that exists relative to {reader.path.parent}", rel)
    return target


def _build_inputs(top: _Reader) -> tuple[Path | None, tuple[str, ...]]:
    """(crate, sources) as written; whether the library's kind wants the one it has is
    sffi.plan.kinds's rule (Kind.validate)."""
    crate = _existing(top, "crate", top.string("crate")) if "crate" in top.table else None
    return crate, top.strings("sources")


def _crate_name(crate: Path) -> str:
    cargo_toml = crate / "Cargo.toml"
    try:
        data = tomllib.loads(cargo_toml.read_text(encoding="utf-8"))
        name = data.get("lib", {}).get("name") or data["package"]["name"]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise SffiError(f"cannot read the crate's name ([lib] name or [package] name): {exc}",
                        str(cargo_toml)) from None
    return name.replace("-", "_")


def _dependencies(path: Path, raw) -> tuple[Dependency, ...]:
    if not isinstance(raw, list):
        raise SffiError("key 'dependency': expected an array of tables ([[dependency]])", str(path))
    deps = []
    for i, entry in enumerate(raw):
        reader = _Reader(path, entry if isinstance(entry, dict) else {}, f"dependency[{i}].")
        if not isinstance(entry, dict):
            raise reader.fail("", "a table")
        reader.check_keys(("pkg-config", "detector", "install"))
        kinds = [k for k in ("pkg-config", "detector") if k in entry]
        if len(kinds) != 1:
            raise reader.fail("pkg-config", "exactly one of 'pkg-config' or 'detector'")
        deps.append(Dependency(kinds[0], reader.string(kinds[0]),
                               reader.string("install", required=False)))
    return tuple(deps)


def discover(ffi_root: str | Path) -> dict[str, Manifest]:
    """Every library under ``ffi_root`` (each ``*/sffi.toml``), by name, sorted.

    Raises:
        SffiError: a manifest is invalid, or two manifests use the same name
            or the same prefix where one is not core's ``rt_``.
    """
    libraries: dict[str, Manifest] = {}
    for path in sorted(Path(ffi_root).glob(f"*/{MANIFEST_NAME}")):
        manifest = load(path)
        if manifest.name in libraries:
            other = libraries[manifest.name].path
            raise SffiError(f"library name '{manifest.name}' is also used by {other}", str(path))
        libraries[manifest.name] = manifest
    return dict(sorted(libraries.items()))
