"""The C accelerator of sffi symbols (site_scons/sffi/symbols/_symtab.c) and the packages; the rest is in
pyproject.toml.

The wheel holds ``sffi`` (site_scons/sffi, its SCons tools included) and ``toolchain`` (the
dependency detectors that ``[[dependency]]`` tables use: the ``sffi`` SCons tool needs them).
"""

from setuptools import Extension, find_packages, setup

setup(packages=[*find_packages("site_scons", include=["sffi", "sffi.*"]), "toolchain"],
      package_dir={"": "site_scons", "toolchain": "toolchain"},
      ext_modules=[Extension("sffi.symbols._symtab", ["site_scons/sffi/symbols/_symtab.c"],
                             extra_compile_args=["-O2", "-Wall", "-Wextra"])])
