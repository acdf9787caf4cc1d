"""The build directory layout: the one place that spells out where each output goes.

Everything a build writes lies under ``build/`` (``scons -c`` removes it)::

    build/bin/simple                         the runtime last built (a copy)
    build/lib/sffi/libsffi_<lib>.so          the modules installed beside it (--modules)
    build/.scons-start                       when the last build started (sffi.plan.sconsgraph)
    build/.detect-cache.json                 pkg-config's and readelf's answers (toolchain.runcache)
    build/.toolkit-digest                    the toolkit sources' digest (sffi/tools/sffi_rules.py)
    build/<variant>/                         one per --mode / --sanitize: release, debug, release-asan
      runtime/src/<file>.o                   the runtime's own objects, shared by every selection
      libs/<lib>/libsffi_<lib>.a             a C/C++ library's archive (kind c, cxx)
      libs/<lib>/obj/<source>.o              its objects
      libs/<lib>/sffi_exports_<lib>.h        the prototype header force-included into them
      libs/<lib>/lib<crate>.rlib             a Rust crate's rlib (kind cargo), scanned by the check
      libs/<lib>/<lib>.check.json            the export check's record (sffi.plan.records)
      rust/<a+b>/libsffi_rust.a              the umbrella staticlib of a set of Rust crates
      rust/<a+b>/libsffi_rust.a.native-libs  the native libraries rustc reported for it
      rust/<a+b>/umbrella/{Cargo.toml,lib.rs}  the generated umbrella crate
      rust/<a+b>/members/lib<crate>.rlib     a member's rlib when another umbrella built it first
      rust/<a+b>/signatures/                 the Rust signature-check crate and checked.txt
      modules/<lib>/libsffi_<lib>.so         a loadable module, its table, exports.map, obj/*.os
      cargo/                                 cargo's target directory, shared by the variant
      sel/<core+a+b>/                        one selection: sffi_table.{c,json}, sffi_table.o,
                                             simple, audit.txt, report.{txt,md,json,html},
                                             smoke.json, measure.json (scons matrix)
      matrix/report.{txt,md,json,html}       the matrix report

:class:`Layout` computes these paths (strings relative to the project root, as
SCons takes them); :func:`variant_dir_of` and :func:`library_dir` go the other
way, from a selection directory to the variant and library directories, for
the commands that read a finished build (``sffi report``, ``sffi diff``).
Nothing here imports SCons.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sffi.errors import SffiError

BUILD_ROOT = "build"
INSTALLED = f"{BUILD_ROOT}/bin/simple"
#: when the last build that recorded signatures started (sffi.plan.sconsgraph.previous_start)
START_STAMP = f"{BUILD_ROOT}/.scons-start"
#: the digest of the toolkit's sources, kept with a digest of their sizes and times (sffi/tools/sffi_rules.py)
TOOLKIT_DIGEST = f"{BUILD_ROOT}/.toolkit-digest"
#: the answers of dependency detection's programs, kept between runs (toolchain.runcache)
DETECT_CACHE = f"{BUILD_ROOT}/.detect-cache.json"
TABLE_JSON = "sffi_table.json"
TABLE_C = "sffi_table.c"
RUNTIME = "simple"
#: the file extensions of a report's formats (text, markdown, json, html: sffi.report.render)
REPORT_EXTENSIONS = ("txt", "md", "json", "html")
UMBRELLA_LIB = "libsffi_rust.a"
ARTIFACT_GLOBS = ("*.a", "*.rlib")


def variant_name(mode: str, sanitize: str = "none") -> str:
    """``release`` / ``debug``, with ``-asan`` when built with ``--sanitize=address``."""
    return mode + ("-asan" if sanitize == "address" else "")


@dataclasses.dataclass(frozen=True)
class Variant:
    """What ``--mode`` and ``--sanitize`` chose; one build directory ``build/<name>`` each.

    Attributes:
        mode: ``release`` or ``debug``.
        sanitize: ``address`` or ``none``.
    """

    mode: str = "release"
    sanitize: str = "none"

    @property
    def name(self) -> str:
        """``release``, ``debug-asan``, ... (:func:`variant_name`)."""
        return variant_name(self.mode, self.sanitize)

    def options(self) -> str:
        """The scons options that build this variant: ``--mode=debug --sanitize=address``."""
        return f"--mode={self.mode}" + (f" --sanitize={self.sanitize}" if self.sanitize != "none" else "")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def parse(cls, name: str) -> "Variant":
        """The variant of a build directory's name (``release-asan``), for the commands that
        read a finished build.

        Raises:
            SffiError: not a variant's name.
        """
        mode, _, suffix = name.partition("-")
        if mode not in ("release", "debug") or suffix not in ("", "asan"):
            raise SffiError(f"'{name}' is not a build variant (release, debug, release-asan, debug-asan)")
        return cls(mode, "address" if suffix else "none")


def report_paths(directory: str | Path, stem: str = "report") -> list[Path]:
    """``<stem>.{txt,md,json,html}`` in ``directory`` (a selection or the matrix directory)."""
    return [Path(directory) / f"{stem}.{ext}" for ext in REPORT_EXTENSIONS]


def variant_dir_of(sel_dir: str | Path) -> Path:
    """``build/<variant>`` of a selection directory ``build/<variant>/sel/<selection>``
    or a library directory ``build/<variant>/libs/<lib>``."""
    return Path(sel_dir).parent.parent


def library_dir(sel_dir: str | Path, library: str) -> Path:
    """``build/<variant>/libs/<library>`` of the variant a selection directory belongs to."""
    return variant_dir_of(sel_dir) / "libs" / library


def smoke_file(sel_dir: str) -> str:
    """A selection's smoke results (``scons matrix``)."""
    return f"{sel_dir}/smoke.json"


def measure_file(sel_dir: str) -> str:
    """A selection's measurements (``scons matrix``)."""
    return f"{sel_dir}/measure.json"


def artifacts_in(lib_dir: str | Path) -> list[Path]:
    """The built artifacts in a library directory (``*.a``, ``*.rlib``), sorted."""
    return sorted(p for pattern in ARTIFACT_GLOBS for p in Path(lib_dir).glob(pattern))


def built_artifacts(build_root: str | Path, library: str) -> list[Path]:
    """Every built artifact of ``library`` in any variant under ``build_root``."""
    return sorted(p for pattern in ARTIFACT_GLOBS for p in Path(build_root).glob(f"*/libs/{library}/{pattern}"))


def selection_dirs(directory: str | Path) -> list[Path]:
    """The selection directories in a variant directory (``sel/*``) or a build root (``*/sel/*``)
    that hold an extern table."""
    root = Path(directory)
    return sorted({p.parent for pattern in (f"sel/*/{TABLE_JSON}", f"*/sel/*/{TABLE_JSON}") for p in root.glob(pattern)})


def runtimes(build_root: str | Path) -> list[Path]:
    """The linked runtimes of every selection under a build root."""
    return sorted(Path(build_root).glob(f"*/sel/*/{RUNTIME}"))


def rust_signature_crates(variant_dir: str | Path) -> list[Path]:
    """The ``lib.rs`` of every Rust signature-check crate of a variant."""
    return sorted(Path(variant_dir).glob("rust/*/signatures/lib.rs"))


def installed_runtime(build_root: str | Path = BUILD_ROOT) -> Path:
    """``<build_root>/bin/simple``: the copy of the runtime last built."""
    return Path(build_root) / "bin" / RUNTIME


def installed_modules_dir(build_root: str | Path = BUILD_ROOT) -> Path:
    """``<build_root>/lib/sffi``: the module directory beside ``bin/simple`` (the runtime's default)."""
    return Path(build_root) / "lib" / "sffi"


def selection_runtime(build_root: str | Path, variant: str, selection_name: str) -> Path:
    """The runtime of one selection, ``<build_root>/<variant>/sel/<selection>/simple``."""
    return Path(Layout(variant, Path(build_root).as_posix()).sel_dir(selection_name)) / RUNTIME


def modules_dir_of(sel_dir: str | Path) -> Path:
    """``build/<variant>/modules``, where the modules of a selection directory's variant are built."""
    return variant_dir_of(sel_dir) / "modules"


def built_modules(sel_dir: str | Path) -> list[Path]:
    """The module files (``modules/<lib>/libsffi_<lib>.so``) built for a selection directory's variant, sorted."""
    return sorted(modules_dir_of(sel_dir).glob("*/libsffi_*.so"))


def module_library(module: str | Path) -> str:
    """The library a module file is named after (``libsffi_<lib>.so`` -> ``<lib>``)."""
    return Path(module).name[len("libsffi_"):-len(".so")]


def check_file(lib_dir: str | Path, library: str) -> Path:
    """``<lib>.check.json`` in a library directory."""
    return Path(lib_dir) / f"{library}.check.json"


@dataclasses.dataclass(frozen=True)
class Layout:
    """The paths of one variant's build, relative to the project root.

    Attributes:
        variant: the :class:`Variant` (given as its name, ``release-asan``, it is parsed).
        root: the build root (``build``).
    """

    variant: Variant
    root: str = BUILD_ROOT

    def __post_init__(self):
        if isinstance(self.variant, str):
            object.__setattr__(self, "variant", Variant.parse(self.variant))

    @classmethod
    def of_variant_dir(cls, variant_dir: str | Path) -> "Layout":
        """The layout whose :attr:`variant_dir` is ``variant_dir`` (``build/release``)."""
        path = Path(variant_dir)
        return cls(Variant.parse(path.name), path.parent.as_posix())

    @property
    def variant_dir(self) -> str:
        """``build/<variant>``."""
        return f"{self.root}/{self.variant.name}"

    @property
    def installed(self) -> str:
        """``build/bin/simple``: the copy of the runtime last built."""
        return installed_runtime(self.root).as_posix()

    @property
    def detect_cache(self) -> str:
        """``<root>/.detect-cache.json``: detection's answers (:data:`DETECT_CACHE` under ``build``)."""
        return f"{self.root}/.detect-cache.json"

    @property
    def cargo_target_dir(self) -> str:
        """cargo's ``--target-dir``, shared by every umbrella of the variant (crates compile once)."""
        return f"{self.variant_dir}/cargo"

    @property
    def matrix_dir(self) -> str:
        """Where ``scons matrix`` writes its report."""
        return f"{self.variant_dir}/matrix"

    # ------------------------------------------------------------ the runtime's own objects
    @property
    def runtime_dir(self) -> str:
        """Where the runtime's own objects go."""
        return f"{self.variant_dir}/runtime"

    def runtime_object(self, source: str) -> str:
        """The object of a runtime source ``runtime/src/x.c`` (no suffix: SCons adds ``.o``)."""
        rel = Path(source).relative_to("runtime").with_suffix("")
        return f"{self.runtime_dir}/{rel.as_posix()}"

    # ------------------------------------------------------------ one library
    def lib_dir(self, library: str) -> str:
        """``build/<variant>/libs/<lib>``."""
        return f"{self.variant_dir}/libs/{library}"

    def archive(self, library: str) -> str:
        """A C/C++ library's archive ``libsffi_<lib>.a``."""
        return f"{self.lib_dir(library)}/libsffi_{library}.a"

    def object(self, library: str, relative_source: Path) -> str:
        """The object of one source (relative to the library's folder), without suffix."""
        return f"{self.lib_dir(library)}/obj/{relative_source.with_suffix('').as_posix()}"

    # ------------------------------------------------------------ loadable modules (docs/modules.md)
    def module_dir(self, library: str) -> str:
        """``build/<variant>/modules/<lib>``: a module's objects, table and version script."""
        return f"{self.variant_dir}/modules/{library}"

    def module(self, library: str) -> str:
        """The module ``build/<variant>/modules/<lib>/libsffi_<lib>.so``."""
        return f"{self.module_dir(library)}/libsffi_{library}.so"

    def module_object(self, library: str, relative_source: Path) -> str:
        """The position-independent object of one of a module's sources, without suffix."""
        return f"{self.module_dir(library)}/obj/{relative_source.with_suffix('').as_posix()}"

    def module_table_c(self, library: str) -> str:
        """The module's generated table source ``sffi_module_<lib>.c``."""
        return f"{self.module_dir(library)}/sffi_module_{library}.c"

    def module_exports_map(self, library: str) -> str:
        """The module's version script (``sffi_module_descriptor`` its one export)."""
        return f"{self.module_dir(library)}/exports.map"

    def installed_module(self, library: str) -> str:
        """Its copy in ``build/lib/sffi/``, the directory ``build/bin/simple`` searches."""
        return (installed_modules_dir(self.root) / f"libsffi_{library}.so").as_posix()

    def prototypes(self, library: str) -> str:
        """The prototype header force-included into a C/C++ library's sources."""
        return f"{self.lib_dir(library)}/sffi_exports_{library}.h"

    def rlib(self, library: str, crate: str) -> str:
        """A Rust library's rlib, the artifact its check scans."""
        return f"{self.lib_dir(library)}/lib{crate}.rlib"

    def check(self, library: str) -> str:
        """The record of a library's export check."""
        return check_file(self.lib_dir(library), library).as_posix()

    # ------------------------------------------------------------ a set of Rust crates
    def rust_dir(self, libraries: list[str] | tuple[str, ...]) -> str:
        """``build/<variant>/rust/<a+b>``: one umbrella per set of crates."""
        return f"{self.variant_dir}/rust/{'+'.join(libraries)}"

    def umbrella_lib(self, libraries) -> str:
        """The umbrella staticlib of a set of crates."""
        return f"{self.rust_dir(libraries)}/{UMBRELLA_LIB}"

    def signatures_dir(self, libraries) -> str:
        """The Rust signature-check crate of a set of crates (``checked.txt`` when it compiled)."""
        return f"{self.rust_dir(libraries)}/signatures"

    def member_rlib(self, libraries, crate: str) -> str:
        """A member's rlib kept by an umbrella that did not build it first."""
        return f"{self.rust_dir(libraries)}/members/lib{crate}.rlib"

    # ------------------------------------------------------------ a selection
    def sel_dir(self, selection_name: str) -> str:
        """``build/<variant>/sel/<core+a+b>`` (sffi.selection.variant_name gives the name)."""
        return f"{self.variant_dir}/sel/{selection_name}"

    def rust_set_of(self, path: str) -> list[str]:
        """The libraries of the Rust set a path under ``rust/`` belongs to (``[]`` elsewhere)."""
        prefix = f"{self.variant_dir}/rust/"
        return path[len(prefix):].split("/")[0].split("+") if path.startswith(prefix) else []
