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
"""

__version__ = "0.1.0"
