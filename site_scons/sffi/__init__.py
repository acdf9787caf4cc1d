"""sffi: manifests, extern declarations, exported symbols and the generated extern table.

The modules, one responsibility each:

    abi        the SFFI C ABI v1 type set: spellings, C types, type codes
    errors     SffiError and the exit-status bit flags (after abidiff)
    manifest   ffi_libs/<lib>/sffi.toml: loading and validation
    decls      `extern fn` declarations (Tier 2) parsed from .spl files
    symbols    symbols of ELF objects, archives and shared objects (Tier 1)
    check      declarations against exports, per library and across a selection
    table      the generated extern table (C source and JSON)
    cli        the `sffi` command line; its subcommands live in sffi.commands
    hostkit    the extern table packed for a host runtime in another language
    scons_tool the `sffi` SCons tool for other projects (below)

The package is also an SCons tool: another project's SConstruct loads it with

    import sffi
    env = Environment(tools=["default", "sffi"], toolpath=[sffi.TOOLPATH])

(SCons looks for ``<toolpath>/sffi/__init__.py``, finds this file, and calls
``generate(env)``; see sffi.scons_tool and docs/hostkit.md).
"""

import os as _os

from sffi.version import __version__  # noqa: F401  (sffi.__version__)

#: The directory holding this package: the ``toolpath`` under which SCons finds the ``sffi`` tool.
#: os.path, not pathlib: every command imports this package, and pathlib costs ~3 ms of start-up.
TOOLPATH = _os.path.dirname(_os.path.dirname(_os.path.realpath(__file__)))


def generate(env):
    """SCons tool entry: adds ``env.SffiProject`` (sffi.scons_tool.generate)."""
    from sffi import scons_tool
    scons_tool.generate(env)


def exists(env):
    """SCons tool entry: the tool is always available."""
    return True
