"""The outputs of the programs dependency detection runs (pkg-config, readelf), kept between
scons runs while what they read is unchanged.

Every scons run detects the selected libraries' dependencies (DESIGN.md: a missing one stops
the build before anything compiles); an up-to-date ``scons runtime --with=all`` spent most of
its detection in a dozen pkg-config and readelf processes whose answers had not changed. Here
each command's result is stored with a *stamp* of what it reads, and reused while the stamp
matches:

* the program itself (its resolved path, size and modification time: an upgrade re-runs it);
* for pkg-config: the environment variables it reads, and every ``.pc`` file (name, size,
  modification time) in every directory of its search path (``PKG_CONFIG_PATH`` and its own
  ``pc_path``), with the directories' own modification times: installing, removing or
  upgrading any package changes the stamp;
* for any other command: the files it is given (``inputs``).

Without :func:`configure` (the ``sffi`` command, tests) nothing is cached: every call runs its
command. The ``sffi`` SCons tool (``env.SffiProject``) configures the cache file in its build
root (sffi.plan.layout.Layout.detect_cache: ``build/.detect-cache.json`` for this repository's
SConstruct), which ``scons -c`` removes. A cache file that cannot be read is ignored (and rewritten).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import subprocess
import threading

#: environment variables pkg-config reads that change its answers
PKG_CONFIG_ENV = ("PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR", "PKG_CONFIG_ALLOW_SYSTEM_CFLAGS",
                  "PKG_CONFIG_ALLOW_SYSTEM_LIBS")

_lock = threading.Lock()
_state: dict = {"path": None, "entries": {}, "dirty": False, "pc_stamp": None}


def configure(path: str | None, write: bool = True) -> None:
    """Keep results in the JSON file ``path`` (None: no cache); ``write=False`` reads it only
    (``scons -n``, ``-q``: they promise to write nothing)."""
    entries = {}
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            entries = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            entries = {}
    with _lock:
        _state.update(path=path, entries=entries, dirty=False, pc_stamp=None, write=write)
    if path and write:
        atexit.register(save)


def save() -> None:
    """Write the cache file if a result was added (atomically: a reader never sees half a file)."""
    with _lock:
        path, dirty, entries = _state["path"], _state["dirty"], dict(_state["entries"])
        _state["dirty"] = False
    if not path or not dirty or not _state.get("write", True):
        return
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(entries, f, sort_keys=True)
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written only costs the next run its processes


def _file_stamp(path: str | None) -> list:
    if not path:
        return [path, None]
    try:
        st = os.stat(path)
        return [os.path.realpath(path), st.st_size, st.st_mtime_ns]
    except OSError:
        return [path, None]


def _program(name: str) -> list:
    return _file_stamp(shutil.which(name))


def run_all(commands: list[list[str]], inputs: list[list[str]] | None = None,
            packages: bool = True) -> list[tuple[int, str, str]]:
    """(return code, stdout, stderr) of each command, run side by side where not cached.

    Args:
        commands: argument lists; the first word is the program (found on PATH).
        inputs: per command, the files it reads besides its program (their size and modification
            time are part of the stamp); pkg-config commands are stamped as the module docstring says.
        packages: for pkg-config, whether the answer depends on the installed ``.pc`` files
            (False only for asking pkg-config its own search path).
    """
    if _state["path"] is None:
        stamps = keys = cached = [None] * len(commands)
    else:
        stamps = [_digest([_program(c[0]), [_file_stamp(p) for p in files],
                           _pkg_config_env() if c[0] == "pkg-config" else None,
                           _pkg_config_stamp() if c[0] == "pkg-config" and packages else None])
                  for c, files in zip(commands, inputs or [()] * len(commands))]
        keys = ["\0".join(c) for c in commands]
        with _lock:
            cached = [_state["entries"].get(k) for k in keys]
    results: list = [c["result"] if isinstance(c, dict) and c.get("stamp") == s and _is_result(c.get("result"))
                     else None for c, s in zip(cached, stamps)]
    todo = [i for i, r in enumerate(results) if r is None]
    procs = [(i, subprocess.Popen(commands[i], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
             for i in todo]
    for i, proc in procs:
        out, err = proc.communicate()
        results[i] = [proc.returncode, out, err]
    if todo and _state["path"]:
        with _lock:
            for i in todo:
                _state["entries"][keys[i]] = {"stamp": stamps[i], "result": results[i]}
            _state["dirty"] = True
    return [tuple(r) for r in results]


def _is_result(value) -> bool:
    """A kept result as run_all stores it: [return code, stdout, stderr] (a damaged file's entry is not)."""
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], int)
            and all(isinstance(v, str) for v in value[1:]))


def _digest(stamp: list) -> str:
    """The SHA-256 of a stamp's JSON (the cache file keeps digests, not listings of .pc files)."""
    return hashlib.sha256(json.dumps(stamp).encode()).hexdigest()


def _pkg_config_env() -> list:
    return [[k, os.environ.get(k)] for k in PKG_CONFIG_ENV]


def _pkg_config_stamp() -> list:
    """What pkg-config's answers depend on (module docstring), computed once per process."""
    with _lock:
        if _state["pc_stamp"] is not None:
            return _state["pc_stamp"]
    dirs = [d for d in os.environ.get("PKG_CONFIG_PATH", "").split(os.pathsep) if d]
    (code, out, _), = run_all([["pkg-config", "--variable", "pc_path", "pkg-config"]], packages=False)
    dirs += out.strip().split(os.pathsep) if code == 0 else []
    files = []
    for d in dirs:
        try:
            with os.scandir(d) as it:
                entries = sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in it if e.name.endswith(".pc"))
            files.append([d, os.stat(d).st_mtime_ns, entries])
        except OSError:
            files.append([d, None, []])
    stamp = files
    with _lock:
        _state["pc_stamp"] = stamp
    return stamp
