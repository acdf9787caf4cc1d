"""The host kit: a selection's extern table for a host runtime written in another language.

``scons hostkit --with=LIBS`` (and the ``sffi`` SCons tool's ``SffiHostkit``)
writes one directory with everything such a host needs (docs/hostkit.md):

    kit          the kit's layout; the combined archive; link files; hostkit.json
    linkline     the link line after the archive and its cargo / pkg-config forms
    rust_types   how each ABI type (sffi.abi) looks from Rust
    rust_module  the generated Rust module sffi_table.rs
    scons        the kit's nodes in an SCons graph

The C side (``c/sffi_host.[ch]``) defines the host's ``sffi_set_error`` and the
lookup and call helpers; it is compiled into every kit's archive.
"""
