"""The C accelerator of sffi symbols (site_scons/sffi/symbols/_symtab.c); the rest is in pyproject.toml."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("sffi.symbols._symtab", ["site_scons/sffi/symbols/_symtab.c"],
                             extra_compile_args=["-O2", "-Wall", "-Wextra"])])
