"""The host kit in the SCons graph: ``scons hostkit --with=LIBS`` and the ``sffi`` tool's ``SffiHostkit``.

:func:`define_kit` adds the nodes that write one kit directory (layout in
sffi.hostkit.kit) from a selection's already-defined nodes: its generated
table, its libraries' archives (and the Rust umbrella's native-libs file),
and the system link settings of its dependencies.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path

import SCons.Action
import SCons.Errors

from sffi.errors import SffiError
from sffi.hostkit import kit as kit_mod
from sffi.hostkit import linkline, rust_module
from sffi.hostkit.linkline import LinkLine


#: Digest of the code that writes the archive and the link files: a change to it rebuilds them
#: (SCons signs a Python action by its own function's code only).
RECIPE = hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in (kit_mod, linkline))).hexdigest()


def _quiet(label: str):
    return lambda target, source, env: f"  {label:<7} {target[0]}"


def _archive_action(target, source, env):
    n = env["SFFI_HOSTKIT_OBJECTS"]
    paths = [str(s) for s in source]
    try:
        kit_mod.combine_archives(str(target[0]), paths[:n], paths[n:], env.subst("$AR") or "ar")
    except SffiError as exc:
        raise SCons.Errors.BuildError(errstr=str(exc)) from exc


def _copy_action(target, source, env):
    Path(str(target[0])).write_bytes(Path(str(source[0])).read_bytes())


def _write_value_action(target, source, env):
    Path(str(target[0])).write_text(source[0].read(), encoding="utf-8")


def _link_line(env) -> LinkLine:
    """The kit's LinkLine, with the Rust native libs read now (the file is built by then)."""
    line: LinkLine = env["SFFI_HOSTKIT_LINK"]
    native = env.get("SFFI_HOSTKIT_NATIVE")
    if native:
        line = dataclasses.replace(line, rust_native=linkline.parse_rust_native(Path(native).read_text()))
    return line


def _files_action(target, source, env):
    kit = Path(str(target[0])).parent
    line, libraries = _link_line(env), env["SFFI_HOSTKIT_LIBRARIES"]
    kit_mod.write_link_files(kit, libraries, line)
    kit_mod.write_manifest(kit, libraries, line, Path(env["SFFI_HOSTKIT_TABLE_JSON"]))
    print(f"  HOSTKIT {os.path.relpath(kit)}: {len(libraries)} libraries; link after the archive: "
          f"{' '.join(line.after_archive()) or '(nothing)'}")


def define_kit(env, kit_dir: str, libraries: list[str], table_c, table_json, archives: list,
               link: LinkLine, native_file=None) -> list:
    """The nodes writing the host kit ``kit_dir``; returns its hostkit.json node list (depends on all).

    Args:
        env: a construction environment whose C compiler settings suit the table
            (the runtime's); the kit's headers are added to its CPPPATH.
        libraries: the selected library names, sorted (written into the kit).
        table_c, table_json: the selection's generated table (nodes or paths).
        archives: the libraries' archives, then the dependencies' static archives.
        link: system libraries after the archive (rust_native empty: read from ``native_file``).
        native_file: the Rust umbrella's ``.native-libs`` node, or None without Rust.
    """
    kenv = env.Clone()
    kenv.AppendUnique(CPPPATH=[str(kit_mod.ABI_INCLUDE), str(kit_mod.HOST_H.parent)])
    obj = f"{kit_dir}-obj"  # intermediate objects, outside the kit
    objects = [kenv.StaticObject(f"{obj}/sffi_table", table_c)[0],
               kenv.StaticObject(f"{obj}/sffi_host", str(kit_mod.HOST_C))[0],
               kenv.StaticObject(f"{obj}/sffi_error", str(kit_mod.ERROR_C))[0]]
    archive = kenv.Command(f"{kit_dir}/lib/lib{linkline.ARCHIVE_NAME}.a", objects + list(archives),
                           SCons.Action.Action(_archive_action, _quiet("AR"), varlist=["SFFI_HOSTKIT_RECIPE"]),
                           SFFI_HOSTKIT_OBJECTS=len(objects), SFFI_HOSTKIT_RECIPE=RECIPE)
    copies = [kenv.Command(f"{kit_dir}/include/{h.name}", str(h), SCons.Action.Action(_copy_action, None))
              for h in kit_mod.HEADERS]
    copies.append(kenv.Command(f"{kit_dir}/sffi_table.json", table_json, SCons.Action.Action(_copy_action, None)))
    module = kenv.Command(f"{kit_dir}/rust/sffi_table.rs", kenv.Value(rust_module.generate()),
                          SCons.Action.Action(_write_value_action, _quiet("GEN")))
    described = json.dumps({"libraries": libraries, "link": repr(link)}, sort_keys=True)
    names = ["link.txt", "rust/cargo.txt", "rust/build.rs", "lib/pkgconfig/sffi-host.pc", "hostkit.json"]
    files = kenv.Command([f"{kit_dir}/{n}" for n in names],
                         [kenv.Value(described), archive, module, *copies] + ([native_file] if native_file else []),
                         SCons.Action.Action(_files_action, None, varlist=["SFFI_HOSTKIT_RECIPE"]),
                         SFFI_HOSTKIT_RECIPE=RECIPE,
                         SFFI_HOSTKIT_LINK=link, SFFI_HOSTKIT_LIBRARIES=list(libraries),
                         SFFI_HOSTKIT_TABLE_JSON=copies[-1][0].abspath,
                         SFFI_HOSTKIT_NATIVE=kenv.File(native_file).abspath if native_file else "")
    return files


def kit_line(sel) -> LinkLine:
    """What a host links after the kit's archive, for one planned selection (its link line's
    system libraries, flags and run paths; the Rust native libraries are read when the kit is built).

    Args:
        sel: a sffi.plan.planner.SelectionPlan (a runtime's, or the libraries' alone).
    """
    link = sel.link
    return LinkLine(tuple(link.libs), tuple(link.libpath), tuple(link.flags), cxx=link.linker == "$CXX",
                    rpath=tuple(link.rpath))


def selection_kit(env, sel, kit_dir: str | None = None) -> list:
    """The kit of one planned selection (``scons hostkit``, and the ``sffi`` tool's ``hostkit``),
    in ``kit_dir`` (default: ``<selection dir>/hostkit``); returns its hostkit.json node list.

    Args:
        env: the construction environment of the plan, after it was materialized
            (compiles the table and the hook; the planned paths are its nodes by then).
        sel: the selection (sffi.plan.planner.SelectionPlan): its table, and its link line,
            whose archives (the libraries', the Rust umbrella's, the dependencies' static
            ones) go into the kit and whose system libraries follow it (:func:`kit_line`).
        kit_dir: where the kit goes.
    """
    archives = [str(i) for i in sel.link.inputs if str(i).endswith(".a")]  # not the runtime's objects
    return define_kit(env, kit_dir or f"{sel.directory}/hostkit", sorted(sel.libraries), sel.table_c,
                      sel.table_json, archives, kit_line(sel), sel.link.native_file)
