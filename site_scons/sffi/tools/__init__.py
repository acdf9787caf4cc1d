"""The SCons tools the ``sffi`` tool loads into an environment (by name, from :data:`TOOLPATH`).

* ``sffi_rules``: the Sffi* builders (prototype headers, checks, tables, audits, reports, modules);
* ``cargo``: Rust crates through cargo (the umbrella staticlib, the signature check);
* ``sffi_matrix``: the builders of ``scons matrix`` (loaded only when it is asked for).

They ship in the package (a wheel holds them), so a project outside this repository
builds every kind of library with the same builders as this repository's SConstruct.
"""

import os as _os

#: The directory holding these tool modules: the ``toolpath`` under which SCons finds them.
TOOLPATH = _os.path.dirname(_os.path.abspath(__file__))
