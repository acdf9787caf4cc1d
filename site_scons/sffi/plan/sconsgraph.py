"""SCons side of the plan: the base environment, and the planned steps turned into nodes.

The only module of :mod:`sffi.plan` that touches SCons's node API (with
:mod:`sffi.plan.targets`, which names the command-line targets).
"""

from __future__ import annotations

import os

from sffi.plan import flags, layout
from sffi.plan.graph_model import Graph

#: environment variables a build passes to compilers and cargo
PASSTHROUGH = ("PATH", "HOME", "CARGO_HOME", "RUSTUP_HOME", "LIBTORCH", "TMPDIR", "PKG_CONFIG_PATH")
#: SCons's generic C, C++, GNU link and ar tools, not "default": that one probes for some
#: hundred tools and runs `gcc --version` and `g++ --version` on every run; then the ``sffi``
#: tool (sffi.scons_tool: its builders, cargo's, ``env.SffiProject``). (`scons matrix`
#: adds sffi_matrix: MATRIX_TOOL.)
TOOLS = ["cc", "c++", "gnulink", "ar", "sffi"]
#: the builders of `scons matrix` (smokes, timings, its report), loaded only when it is asked for
MATRIX_TOOL = "sffi_matrix"
_QUIET = (("CC", "CC"), ("SHCC", "CC"), ("CXX", "CXX"), ("SHCXX", "CXX"), ("AR", "AR"), ("LINK", "LINK"),
          ("SHLINK", "LINK"))


def make_env(Environment, mode: str, sanitize: str, verbose: bool, cargo_target_dir: str,
             hardening_off: frozenset = frozenset(), root: str | None = None, matrix: bool = False,
             toolpath: list[str] = ()):
    """The base environment: compilers, warnings, optimisation, sanitizers, hardening, path maps,
    cargo, progress lines.

    Args:
        Environment: SCons's Environment class (SConstruct passes its own).
        mode: ``release`` (-O2, NDEBUG) or ``debug`` (-O0 -g).
        sanitize: ``address`` adds ASan/UBSan/LSan to compile and link, else ``none``.
        verbose: full command lines instead of ``  CC      target``.
        cargo_target_dir: absolute path of cargo's target directory.
        hardening_off: the checks ``--hardening`` turned off (sffi.hardening.parse_option).
        root: the project root, mapped to ``.`` in what compilers write (default: the
            current directory, where SCons reads the SConstruct).
        matrix: also the builders of ``scons matrix`` (:data:`MATRIX_TOOL`).
        toolpath: where SCons finds the ``sffi`` tool and its builders (``sffi.TOOLPATH``,
            ``sffi.tools.TOOLPATH``; the front end passes them: this layer imports no tool).
    """
    env = Environment(ENV={k: os.environ[k] for k in PASSTHROUGH if k in os.environ},
                      tools=TOOLS + ([MATRIX_TOOL] if matrix else []), toolpath=list(toolpath),
                      CPPPATH=["#runtime/include"])
    env.Replace(CC=os.environ.get("CC", "cc"), CXX=os.environ.get("CXX", "c++"))
    # POSIX.1-2008 for every C source: the force-included prototype header (sffi.plan.kinds)
    # includes <stdint.h> before a source could set it itself.
    env.Append(CCFLAGS=["-Wall", "-Wextra"], CFLAGS=["-std=c11", "-D_POSIX_C_SOURCE=200809L"])
    if mode == "release":
        env.Append(CCFLAGS=["-O2"], CPPDEFINES=["NDEBUG"])
    else:
        env.Append(CCFLAGS=["-O0", "-g"])
    if sanitize == "address":
        san = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer"]
        env.Append(CCFLAGS=san, LINKFLAGS=san)
    env["CARGO_PROFILE"] = "release" if mode == "release" else "dev"
    env["CARGO_TARGET_DIR"] = cargo_target_dir
    if not verbose:
        for var, label in _QUIET:
            env[f"{var}COMSTR"] = f"  {label:<7} $TARGET"
    # `ar s` writes the symbol index itself; `D`: zero dates, ids and modes (reproducible archives)
    env.Replace(ARFLAGS=["rcsD"], RANLIBCOM="")
    env.Append(SHCCFLAGS=["-fPIC"])  # as the gcc tool sets it (shared objects: loadable modules)
    # SCons finds each command's executable by expanding the command line of every node on
    # every run; materialize() adds the compilers and ar as dependencies once instead.
    env["IMPLICIT_COMMAND_DEPENDENCIES"] = 0
    link_rust_native(env)
    harden(env, mode, sanitize, hardening_off)
    reproducible(env, root or os.getcwd())
    return env


def link_rust_native(env, native_file: str = "") -> None:
    """Links (programs, shared libraries: Rust modules) end with the native libraries rustc
    reported for an umbrella staticlib, read from ``$SFFI_RUST_NATIVE_FILE`` when the link runs
    (a step that links one names the file, and depends on it)."""
    env.Append(LINKCOM=" ${SFFI_RUST_NATIVE}", SHLINKCOM=" ${SFFI_RUST_NATIVE}",
               SFFI_RUST_NATIVE=rust_native_flags, SFFI_RUST_NATIVE_FILE=native_file)


def harden(env, mode: str, sanitize: str, off: frozenset) -> None:
    """Add the flags of the hardening checks that apply (sffi.hardening; docs/reliability.md).

    ``-fPIE``/``-pie`` go only into the commands of static objects and programs
    (``$SFFI_PIE_CCFLAGS``, ``$SFFI_PIE_LINKFLAGS``): a loadable module's objects
    are ``-fPIC``. With ``split-debug`` a program's link ends with ``objcopy``
    moving its debug sections to ``<program>.debug``, a second target of the link.
    The audit reads ``$SFFI_HARDENING`` (what to check) and ``$SFFI_HARDENING_NOTES``.
    """
    from sffi import hardening

    names, notes = hardening.enabled(mode, sanitize, off)
    added = hardening.flags(names)
    env.Append(CCFLAGS=added["CCFLAGS"], CPPDEFINES=added["CPPDEFINES"],
               LINKFLAGS=added["LINKFLAGS"] + ["-Wl,--build-id=sha1"])
    env["SFFI_PIE_CCFLAGS"] = [f for f in added["PROGFLAGS"] if f != "-pie"]
    env["SFFI_PIE_LINKFLAGS"] = [f for f in added["PROGFLAGS"] if f == "-pie"]
    env.Append(CCCOM=" $SFFI_PIE_CCFLAGS", CXXCOM=" $SFFI_PIE_CCFLAGS", LINKCOM=" $SFFI_PIE_LINKFLAGS")
    env["SFFI_HARDENING"], env["SFFI_HARDENING_NOTES"] = names, notes
    env["SFFI_SPLIT_DEBUG"] = "split-debug" in names
    if env["SFFI_SPLIT_DEBUG"]:
        env.SetDefault(OBJCOPY="objcopy")
        env.Append(LINKCOM=" && $OBJCOPY --only-keep-debug $TARGET ${TARGET}.debug"
                           " && $OBJCOPY --strip-debug --add-gnu-debuglink=${TARGET}.debug $TARGET",
                   PROGEMITTER=[_debug_file_emitter])


def _debug_file_emitter(target, source, env):
    """A program's second target: ``<program>.debug``, written by the link's objcopy (split-debug)."""
    return target + [env.File(str(target[0]) + ".debug")], source


def reproducible(env, root: str) -> None:
    """Make what compilers write the same from every checkout directory (docs/reliability.md).

    ``-ffile-prefix-map=ROOT=.`` for C and C++ (``__FILE__``, DWARF names and
    compilation directories); ``--remap-path-prefix`` for rustc, over the project
    root and cargo's home (its registry sources), through ``$RUSTFLAGS`` (cargo
    leaves it out of ``-C metadata``, so the symbol hashes do not change with the
    directory); no incremental compilation (its object names carry a session id).
    (Archives are written with ``ar D``: make_env.)
    """
    root = os.path.abspath(root)
    cargo_home = os.environ.get("CARGO_HOME") or os.path.join(os.path.expanduser("~"), ".cargo")
    env.Append(CCFLAGS=[f"-ffile-prefix-map={root}=."])
    env["ENV"]["RUSTFLAGS"] = f"--remap-path-prefix={root}=. --remap-path-prefix={os.path.abspath(cargo_home)}=/cargo"
    env["ENV"]["CARGO_INCREMENTAL"] = "0"  # incremental codegen names objects by session (the dev profile's)


def rust_native_flags(target, source, env, for_signature):
    """``$SFFI_RUST_NATIVE``: the contents of ``$SFFI_RUST_NATIVE_FILE`` (not part of the signature)."""
    path = env.get("SFFI_RUST_NATIVE_FILE")
    if for_signature or not path or not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def materialize(env, graph: Graph) -> None:
    """Make the SCons nodes of every step of ``graph`` (once, after all planning), each in its
    environment: ``env`` with the step's EnvSpec as builder overrides (SCons makes a light
    OverrideEnvironment per call; a Clone per library costs more than the whole plan)."""
    envs: dict = {}
    tools = compiler_paths(env)
    for step in graph.steps.values():
        if step.env not in envs:  # once per environment ("base" has no overrides: an empty dict)
            envs[step.env] = _overrides(env, graph.envs[step.env])
        overrides = envs[step.env]
        nodes = getattr(env, step.builder)(step.targets, step.sources, **overrides, **step.vars)
        if step.builder in COMPILED:
            env.Depends(nodes, tools)
        if step.depends:
            env.Depends(nodes, step.depends)
        for text in step.values:
            env.Depends(nodes, env.Value(text))
        for path in step.side_effects:
            env.SideEffect(path, nodes)
        if step.always:
            env.AlwaysBuild(nodes)
            env.NoCache(nodes)


def recorded_paths(env, nodes) -> set[str] | None:
    """Every file and directory an up-to-date check of ``nodes`` reads (sffi.plan.uptodate): the
    File and Dir nodes of their whole graph (sources, scanned headers, targets, the compilers)
    and each include directory (``$CPPPATH``). Call after the build.

    Returns:
        absolute paths, or None when the graph cannot be recorded: a node with a builder was
        neither built nor found up to date (a failed or interrupted build), or is always built.
    """
    from SCons.Node import executed, up_to_date
    from SCons.Node.FS import Base as FSBase

    paths: set[str] = set()
    seen: set[int] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.has_builder():
            if node.get_state() not in (executed, up_to_date) or node.always_build:
                return None
            paths.update(_include_dirs(node))
        if isinstance(node, FSBase):
            paths.add(node.get_abspath())
        stack.extend(node.children())
    return paths


def _include_dirs(node) -> list[str]:
    env = node.get_build_env()
    return [env.Dir(env.subst(d) if isinstance(d, str) else d).get_abspath()
            for d in env.Flatten(env.get("CPPPATH", [])) if d]


#: the builders whose commands run the compilers, ar or the linker
COMPILED = ("StaticObject", "SharedObject", "StaticLibrary", "SharedLibrary", "Program")


def compiler_paths(env) -> list[str]:
    """The programs ``$CC``, ``$CXX`` and ``$AR`` run, as found on the build's PATH: a
    dependency of every compiled node (a compiler upgrade rebuilds), as SCons's
    IMPLICIT_COMMAND_DEPENDENCIES would make them, found once instead of once per node."""
    paths = []
    for var in ("$CC", "$CXX", "$AR"):
        words = env.subst(var).split()
        found = env.WhereIs(words[0]) if words else None
        if found:
            paths.append(os.path.realpath(found))
    return list(dict.fromkeys(paths))


#: the construction variables whose flags go on a compile line together with $CCFLAGS
COMPILE_FLAGS = ("CCFLAGS", "CFLAGS", "CXXFLAGS")


def _overrides(env, spec) -> dict:
    """The construction variables of an EnvSpec over ``env``: appended lists, replaced values.
    A compile flag the base environment already puts on the line (``-O2`` in release) is
    not appended again (sffi.plan.flags)."""
    line = list(env.get("CCFLAGS", []))
    out = {}
    for key, values in spec.append.items():
        base = list(env.get(key, []))
        if key in COMPILE_FLAGS:
            values = flags.unique(list(values), flags.keys(base + (line if key != "CCFLAGS" else [])))
        out[key] = base + list(values)
    out.update(spec.replace)
    return out


#: when the last build that recorded signatures started (seconds since the epoch, as text)
START_STAMP = layout.START_STAMP


def previous_start(path: str = START_STAMP, now: float | None = None, record: bool = True) -> float:
    """The start time of the previous build (0 when unknown); with ``record``, this build's
    start replaces it (not under -n, -q, -c, -h: they record no signatures)."""
    import time
    try:
        with open(path, encoding="ascii") as f:
            before = float(f.read().strip() or 0)
    except (OSError, ValueError):
        before = 0.0
    if record:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="ascii") as f:
                f.write(f"{time.time() if now is None else now:.3f}\n")
        except OSError:
            pass  # an older stamp only makes the decider hash more files: still correct
    return before


def timestamp_decider(before: float, margin: float = 2.0):
    """A Decider: content signatures, but a file's digest is reused while its timestamp matches.

    SCons's ``content-timestamp`` decider alone trusts any matching timestamp, and
    timestamps have one-second granularity: a file edited in the same second the
    previous build recorded it would look unchanged. Here the timestamp is trusted
    only for a file last modified ``margin`` seconds before the previous build
    started: the record of such a file was taken after its last modification, and
    any later edit would carry a later second. Every other file is hashed (SCons's
    ``content`` decider). An up-to-date build then hashes almost nothing: without
    it, hashing the Rust staticlib, the rlibs and the runtimes was most of a no-op's time.

    Args:
        before: the previous build's start (:func:`previous_start`); 0 hashes everything.
    """
    def decide(dependency, target, prev_ni, repo_node=None):
        mtime = getattr(dependency, "get_timestamp", None)
        if mtime is not None and 0 < mtime() < before - margin:
            return dependency.changed_timestamp_then_content(target, prev_ni, repo_node)
        return dependency.changed_content(target, prev_ni, repo_node)
    return decide
