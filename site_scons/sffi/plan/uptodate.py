"""The up-to-date record: an unchanged ``scons runtime`` answers without walking SCons's graph.

An up-to-date ``scons runtime --with=LIBS`` used to spend most of its time planning the graph
and letting SCons walk its ~180 nodes (docs/build.md, "No-op builds"). After a successful
build of ``runtime``, SConstruct writes a *record* under ``build/.uptodate/``: a stamp (size,
modification time in nanoseconds) of every file and directory the build's graph holds, sources,
scanned headers and targets alike, with the directories that hold them and the include
directories (a new header that would shadow an old one changes its directory's time), the
toolkit's own code, the manifests, and the compilers. The record is filed under a *key*: the
command line, the environment, the Python and SCons that run, and the dependencies that
detection found. The next identical invocation detects its dependencies (as every build does:
a missing one must still stop it), and when its key has a record whose every stamp still
matches, it prints what SCons would have printed and exits; on any difference SCons walks its
graph as usual. A record is only written by a build in which every node of ``runtime`` was
built or found up to date, and only when no source was modified within ``MARGIN`` seconds of
the record (a file system with one-second times could hide an edit in that second).

Only invocations made of :data:`SAFE_OPTIONS` and the target ``runtime`` use records: any other
option (``-n``, ``-c``, ``--debug``, ``--tree``, ...) or target walks the graph. ``--full-check``
ignores the records. ``SFFI_EXPLAIN_UPTODATE=1`` prints, to stderr, why a record was used or not.

Nothing here imports SCons: the check runs before SConstruct loads its build machinery
(:func:`sffi.plan.sconsgraph.recorded_paths` walks the graph for :func:`write`).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

from sffi.plan.layout import BUILD_ROOT

#: where the records live, one JSON file per key (``scons -c`` removes build/)
RECORD_DIR = f"{BUILD_ROOT}/.uptodate"
#: seconds: a record is not written while a source is younger than this
MARGIN = 2.0
#: the options an invocation may carry and still use a record (``--with`` etc. take a value,
#: given as ``--opt=value`` or as the next word)
SAFE_OPTIONS = ("--with", "--modules", "--mode", "--sanitize", "--hardening", "--cache-dir")
SAFE_FLAGS = ("-Q", "--verbose")
#: environment variables that differ between shells of one session and change nothing a build
#: reads, and the one that asks for explanations
VOLATILE_ENV = ("_", "OLDPWD", "SHLVL", "PWD", "SFFI_EXPLAIN_UPTODATE")
RECORD_VERSION = 1


def eligible(args: list[str]) -> bool:
    """Whether the command line ``args`` (``sys.argv[1:]`` as SCons got it) may use a record:
    only the target ``runtime`` (or none), :data:`SAFE_FLAGS`, ``-j N`` and :data:`SAFE_OPTIONS`."""
    i = 0
    while i < len(args):
        word = args[i]
        if word in ("runtime", *SAFE_FLAGS) or (word.startswith("-j") and word[2:].isdigit()) \
                or (word.startswith("--jobs=") and word[7:].isdigit()):
            i += 1
        elif word in ("-j", "--jobs", *SAFE_OPTIONS) and i + 1 < len(args):
            i += 2
        elif word.split("=", 1)[0] in SAFE_OPTIONS and "=" in word:
            i += 1
        else:
            return False
    return True


def key(args: list[str], found: list[str], scons_version: str) -> str:
    """The record's key (a SHA-256 hex digest) of an invocation.

    Args:
        args: the command line after the program (``sys.argv[1:]``).
        found: one line per detected dependency that says everything the build takes from it
            (``repr`` of each ``toolchain.Found``, in the libraries' order).
        scons_version: ``SCons.__version__``.
    """
    env = sorted((k, v) for k, v in os.environ.items() if k not in VOLATILE_ENV)
    text = json.dumps([RECORD_VERSION, args, env, sys.executable, sys.version, scons_version, found])
    return hashlib.sha256(text.encode()).hexdigest()


def code_files(root: str) -> list[str]:
    """The files that plan the build: SConstruct and everything under site_scons/."""
    found = [os.path.join(root, "SConstruct")]
    for folder, dirs, files in os.walk(os.path.join(root, "site_scons")):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        found += [os.path.join(folder, f) for f in files]
    return found


def _stamp(path: str) -> list | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _record_path(root: str, digest: str) -> Path:
    return Path(root, RECORD_DIR, f"{digest}.json")


def check(root: str, digest: str) -> tuple[list[str] | None, str]:
    """The lines to print when the record of ``digest`` still holds, else None; with the reason.

    Returns:
        (lines, reason): ``lines`` is the record's output (what the up-to-date build printed after
        SCons's own lines), or None when there is no record, it cannot be read, or a stamp differs;
        ``reason`` says which (for ``SFFI_EXPLAIN_UPTODATE``).
    """
    path = _record_path(root, digest)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        stamps, lines = data["stamps"], data["lines"]
    except FileNotFoundError:
        return None, "no record for this command line and environment"
    except (OSError, ValueError, KeyError, TypeError):
        return None, f"{path} cannot be read"
    for name, want in stamps.items():
        if _stamp(os.path.join(root, name)) != want:
            return None, f"{name} changed since the record"
    return lines, f"{len(stamps)} stamps match {path}"


def write(root: str, digest: str, paths: set[str], lines: list[str], now: float | None = None) -> str:
    """Write the record of ``digest``: the stamps of ``paths`` and the ``lines`` to print.

    Args:
        root: the project root.
        digest: the invocation's :func:`key`.
        paths: absolute paths or paths relative to ``root`` (files and directories).
        lines: the output an up-to-date build prints after SCons's own lines.
        now: the time of the record (seconds since the epoch; default: now).
    Returns:
        What was done (for ``SFFI_EXPLAIN_UPTODATE``). No record is written (and an old one is
        removed) when a path is missing, or a path outside ``build/`` (a source, not an output)
        was modified less than :data:`MARGIN` seconds ago; a record that cannot be written only
        costs the next run its graph walk.
    """
    limit = int(((time.time() if now is None else now) - MARGIN) * 1e9)
    stamps = {}
    for name in sorted(_names(root, paths)):
        st = _stamp(os.path.join(root, name))
        recent = st is not None and st[1] > limit and not _is_output(name)
        if st is None or recent:
            forget(root, digest)
            return f"no record: {name} is {'too recent' if recent else 'missing'}"
        stamps[name] = st
    path = _record_path(root, digest)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"stamps": stamps, "lines": lines}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        return f"no record: {exc}"
    return f"recorded {len(stamps)} stamps in {path}"


def _names(root: str, paths: set[str]) -> set[str]:
    """``paths`` relative to ``root``, with the directory of each source (a file outside build/):
    a file added beside a source (a header that would shadow another) changes its time. Not the
    root itself, whose time SCons changes on every run (it rewrites .sconsign.dblite there)."""
    names = {_relative(root, p) for p in paths}
    names |= {os.path.dirname(n) for n in names if not _is_output(n)}
    return {n for n in names if n not in ("", ".")}


def _relative(root: str, path: str) -> str:
    """``path`` relative to ``root`` when it lies inside it, else absolute (a compiler's path)."""
    if not os.path.isabs(path):
        return os.path.normpath(path)
    rel = os.path.relpath(path, root)
    return path if rel == ".." or rel.startswith(".." + os.sep) else rel


def _is_output(name: str) -> bool:
    """Whether ``name`` (relative to the root) lies under build/, where outputs are written."""
    return name == BUILD_ROOT or name.startswith(BUILD_ROOT + os.sep)


def forget(root: str, digest: str) -> None:
    """Remove the record of ``digest`` (a build that failed or was interrupted)."""
    try:
        _record_path(root, digest).unlink()
    except OSError:
        pass


def announce(quiet: bool, lines: list[str]) -> None:
    """Print what an up-to-date ``scons runtime`` prints from the point SCons reads no more
    SConscript files: SCons's own lines (fewer under ``-Q``), then the record's ``lines``."""
    said = ["scons: `runtime' is up to date."]
    if not quiet:
        said = ["scons: done reading SConscript files.", "scons: Building targets ...", *said,
                "scons: done building targets."]
    print("\n".join(said + lines), flush=True)


def explain(message: str) -> None:
    """Say ``message`` on stderr when ``SFFI_EXPLAIN_UPTODATE`` is set."""
    if os.environ.get("SFFI_EXPLAIN_UPTODATE"):
        print(f"sffi: up-to-date record: {message}", file=sys.stderr)
