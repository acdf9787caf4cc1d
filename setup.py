"""The C accelerator of sffi symbols (site_scons/sffi/symbols/_symtab.c) and the packages; the rest is in
pyproject.toml.

The wheel holds ``sffi`` (site_scons/sffi: its SCons tools and the dependency detectors of
``[[dependency]]`` tables, ``sffi.toolchain``, included).
"""

from setuptools import Extension, find_packages, setup

setup(packages=find_packages("site_scons", include=["sffi", "sffi.*"]),
      package_dir={"": "site_scons"},
      ext_modules=[Extension("sffi.symbols._symtab", ["site_scons/sffi/symbols/_symtab.c"],
                             extra_compile_args=["-O2", "-Wall", "-Wextra"])])
