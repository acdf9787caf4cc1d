"""The misuse sweep: every extern of a runtime's table called with hostile arguments.

For each extern the runtime lists (``simple --externs --json``) whose library is
under ffi_libs/ (or given with its declaration files), the declaration
(sffi.decls) gives the parameters. The sweep makes one baseline call with benign
arguments, then, one parameter at a time, calls it with each hostile value of
that parameter's type, the others benign (HOSTILE has values for every
parameter type of sffi.abi):

* a handle (a parameter recipes.toml names): 0, -1, 2^62, 2^63-1, one already
  freed, one of another kind of the same library;
* i64: 0, -1, 2^62, -2^63; a narrower or unsigned int: 0, -1, its range's
  edges and one past each (u64: 2^63-1, the largest script int);
* f64: NaN, +inf, -inf; f32: the same, FLT_MAX and +-1e39; bool: none;
* text: empty, 1 MiB;
* arrays of every element type: empty, 1M elements; for a narrower int or f32
  element, an element one past its range; NaN and infinities for float
  elements; ``[u8]`` also a 1 MiB bytes value when recipes.toml says how to
  make one.

A call must return, or stop the script with a script error that names the
extern (exit status 1, the extern's name in the error message itself, not in
the source line the runtime echoes under it); an extern whose contract
returns failures as values (recipes.toml ``[LIB.failure]``, e.g. Simple's sqlite
names) must return, and given a bad handle return exactly its failure value
(the call is printed as ``sweep-value EXTERN WHAT: VALUE``); a value out of the
parameter type's range (REFUSED) must be such an error and also name the
parameter. A signal, a sanitizer report, another status, or a hang is a
failure. A handle kind whose handle cannot be made is "lost" (only made-up
handles would reach its parameters) unless recipes.toml marks it ``optional``;
a recipe naming an extern the library does not declare is always lost
(:func:`lost_kinds`). Calls run in batches, one script each: a script error ends the batch
at the line of the call it reports, and the batch goes on after it. A type
sffi.abi does not have would skip its extern, counted (the tests want none).

Run alone: ``python tests/integration/sweep/misuse.py [--fork] RUNTIME [LIB...]`` (``--fork``:
forkserver.c, one start-up of the runtime for all its scripts).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "site_scons"))

from sffi import abi  # noqa: E402
from sffi import decls as decls_mod  # noqa: E402
from sffi import manifest as manifest_mod  # noqa: E402
from sffi import table as table_mod  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import sandbox  # noqa: E402  (the sandbox of destructive externs: sandbox.py)

RECIPES = Path(__file__).with_name("recipes.toml")
BATCH = 40
TIMEOUT = 300
BIG = 20  # doublings: 2^20 = 1,048,576 elements (1M), or characters (1 MiB)
# Values defined at the top of a script that uses them (built by doubling).
PRELUDE = {
    "sweep_inf": "val sweep_inf = 1e308 * 10.0",
    "sweep_nan": "val sweep_nan = sweep_inf - sweep_inf",
    "sweep_big_text": f'var sweep_big_text = "x"\nfor sweep_i in 0..{BIG}:\n    sweep_big_text += sweep_big_text',
    **{f"sweep_big_{name}": f"var sweep_big_{name} = [{one}]\nfor sweep_i in 0..{BIG}:\n"
                            f"    sweep_big_{name} = sweep_big_{name} + sweep_big_{name}"
       for name, one in (("int", "1"), ("float", "1.5"), ("bool", "true"), ("texts", '"x"'))},
}
PRELUDE_NEEDS = {"sweep_nan": ["sweep_inf"]}
HANDLES = {"0": "0", "-1": "-1", "2^62": "4611686018427387904", "2^63-1": "9223372036854775807"}
I64_MIN = "-9223372036854775807 - 1"  # -9223372036854775808 is not a literal: 2^63 is out of range
I64_MAX = (1 << 63) - 1
FLT_MAX = "3.4028234663852886e38"
BYTES = "bytes 1MiB"  # a bytes value for a [u8] parameter, made by the library's recipe ("bytes")


def _int_values(s: abi.Scalar) -> tuple[dict[str, str], set[str]]:
    """An int type's hostile values (name -> expression) and the names the runtime must refuse.

    i64 takes every script int: 0, -1, 2^62, -2^63. A narrower or unsigned type
    gets its range edges and one past each edge that a script int can reach
    (u64's top, 2^64-1, cannot be written: script ints are i64).
    """
    if s.spelling == "i64":
        return {"0": "0", "-1": "-1", "2^62": "4611686018427387904", "-2^63": I64_MIN}, set()
    values, refused = {"0": "0", "-1": "-1"}, set()
    if s.signed:
        values.update({"min": str(s.lo), "min-1": str(s.lo - 1)})
        refused.add("min-1")
    else:
        refused.add("-1")  # one past 0
    if s.hi > I64_MAX:
        values["2^63-1"] = str(I64_MAX)
    else:
        values.update({"max": str(s.hi), "max+1": str(s.hi + 1)})
        refused.add("max+1")
    return values, refused


def _scalar_values(s: abi.Scalar) -> tuple[dict[str, str], set[str]]:
    """A scalar type's hostile values and the names the runtime must refuse (as :func:`_int_values`)."""
    if s.kind == "int":
        return _int_values(s)
    if s.kind == "bool":
        return {}, set()
    values = {"nan": "sweep_nan", "inf": "sweep_inf", "-inf": "-sweep_inf"}
    if s.spelling == "f32":  # finite beyond FLT_MAX: refused; FLT_MAX itself: the edge
        return {**values, "max": FLT_MAX, "1e39": "1e39", "-1e39": "-1e39"}, {"1e39", "-1e39"}
    return values, set()


def _array_values(elem: str) -> tuple[dict[str, str], set[str]]:
    """An array's hostile values: empty, 1M elements, and for a narrower element type
    an element one past its range (refused, like a scalar)."""
    big = {"text": "sweep_big_texts", "bool": "sweep_big_bool"}.get(elem)
    if elem in abi.SCALARS and abi.SCALARS[elem].kind == "float":
        big = "sweep_big_float"
    values = {"empty": "[]", "1M": big or "sweep_big_int"}
    refused = set()
    if elem in abi.SCALARS:
        scalar, bad = _scalar_values(abi.SCALARS[elem])
        for name in sorted(bad):
            values[f"[{name}]"] = f"[1, {scalar[name]}]"
            refused.add(f"[{name}]")
        if elem in ("f32", "f64"):
            values["[nan, inf]"] = "[sweep_nan, sweep_inf, -sweep_inf]"
    return values, refused


def _tables() -> tuple[dict, dict]:
    """HOSTILE and REFUSED for every parameter type of sffi.abi."""
    hostile, refused = {}, {}
    for spelling, t in abi.TYPES.items():
        if t.is_array:
            hostile[spelling], refused[spelling] = _array_values(t.element)
        elif spelling == "text":
            hostile[spelling], refused[spelling] = {"empty": '""', "1MiB": "sweep_big_text"}, set()
        else:
            hostile[spelling], refused[spelling] = _scalar_values(abi.SCALARS[spelling])
    return hostile, refused


#: parameter type -> {value name: Simple expression}, for every ABI parameter type (sffi.abi.TYPES)
#: and REFUSED: type -> the value names the runtime must refuse with a script error naming the
#: extern and the parameter (out of the type's range).
HOSTILE, REFUSED = _tables()
_BENIGN_SCALAR = {"i32": "0", "bool": "false", "f32": "1.0", "f64": "1.0"}
BENIGN = {**{s: _BENIGN_SCALAR.get(s, "1") for s in abi.SCALARS}, "text": '"x"',
          **{f"[{s}]": "[2, 2]" for s in abi.SCALARS},
          "[f32]": "[1.0, 2.0, 3.0, 4.0]", "[f64]": "[1.0, 2.0, 3.0, 4.0]", "[bool]": "[true, false]",
          "[text]": '["x"]'}
_ERROR_LINE = re.compile(r"^sweep\.spl:(\d+):\d+: error:", re.M)
# The runtime's diagnostic: "FILE:LINE:COL: error: MESSAGE", then the source line and a caret,
# each indented by four spaces (runtime/src/diag.c); the message may run over several lines.
_MESSAGE = re.compile(r"^sweep\.spl:\d+:\d+: error: (.*?)(?=^    |\Z)", re.M | re.S)
_SANITIZER = re.compile(r"ERROR: (Address|Leak)Sanitizer|runtime error:|Segmentation fault")


@dataclasses.dataclass
class Call:
    """One misuse call: its setup lines, the call line, the extern and what was misused."""

    extern: str
    library: str
    what: str                 # "baseline" or "PARAM=VALUE"
    setup: list[str]
    line: str
    externs: set[str]         # the externs the lines use (to declare)
    exits: bool = False
    refuse: str | None = None  # the parameter whose value the runtime must refuse (out of range)
    soft: bool = False        # its contract returns failures as values: it must return
    expect: str | None = None  # the failure value it must print (a bad handle)


@dataclasses.dataclass
class Outcome:
    """How a call ended: "returned", "error" (a script error naming it) or a failure message."""

    call: Call
    kind: str
    detail: str = ""


class Library:
    """One library's declarations, table entries and recipe (recipes.toml)."""

    def __init__(self, name: str, decls: dict, recipe: dict, in_table: set[str]):
        self.name, self.decls, self.in_table = name, decls, in_table
        self.kinds = recipe.get("kinds", {})
        self.text = recipe.get("text", {})
        self.exits = set(recipe.get("exits", []))
        self.bytes = recipe.get("bytes")
        self.failure = recipe.get("failure", {})
        self.unavailable: dict[str, str] = {}

    def kind_of(self, extern: str, param: str) -> str | None:
        """The handle kind a parameter takes, or None for a plain value."""
        for restricted in (True, False):
            for kind, spec in self.kinds.items():
                for entry in spec.get("params", []):
                    name, _, regex = entry.partition(":")
                    if name == param and bool(regex) == restricted and (not regex or re.search(regex, extern)):
                        return kind
        return None


class Generator:
    """Makes the calls of one library; ``skipped`` counts externs by the unknown type that stopped them."""

    def __init__(self, lib: Library):
        self.lib, self.serial, self.skipped = lib, 0, Counter()

    def _var(self) -> str:
        self.serial += 1
        return f"h{self.serial}"

    def make(self, kind: str, setup: list[str], used: set[str]) -> str:
        """Setup lines giving a fresh valid handle of ``kind``; returns its variable."""
        spec = self.lib.kinds[kind]
        expr = spec["make"]
        for other in re.findall(r"\{(\w+)\}", expr):
            expr = expr.replace("{" + other + "}", self.make(other, setup, used))
        var = self._var()
        setup.append(f"val {var} = {expr}")
        used.update(re.findall(r"\b(rt_\w+)\(", expr))
        return var

    def _benign(self, extern: str, p, setup: list[str], used: set[str]) -> str:
        kind = self.lib.kind_of(extern, p.name)
        if kind and kind not in self.lib.unavailable:
            return self.make(kind, setup, used)
        if kind:
            return "0"
        if p.type == "text" and p.name in self.lib.text:
            return json.dumps(self.lib.text[p.name])
        return BENIGN[p.type]

    def _hostile(self, extern: str, p) -> dict[str, str | None]:
        """name -> expression of each hostile value of parameter ``p`` (None: made by :meth:`_call`)."""
        kind = self.lib.kind_of(extern, p.name)
        if not kind:
            values = dict(HOSTILE[p.type])
            if p.type == "[u8]" and self.lib.bytes:
                values[BYTES] = None
            return values
        values = dict(HANDLES)
        if kind not in self.lib.unavailable:
            values["freed"] = None
            others = [k for k in self.lib.kinds if k != kind and k not in self.lib.unavailable]
            if others:
                values[f"a {others[0]}"] = None
        return values

    def _call(self, decl, index: int | None, value_name: str) -> Call:
        setup, used = [], {decl.name}
        args = []
        for i, p in enumerate(decl.params):
            if i != index:
                args.append(self._benign(decl.name, p, setup, used))
                continue
            kind = self.lib.kind_of(decl.name, p.name)
            if value_name == "freed":
                var = self.make(kind, setup, used)
                free = self.lib.kinds[kind]["free"]
                setup.append(f"{free}({var})")
                used.add(free)
                args.append(var)
            elif value_name.startswith("a "):
                args.append(self.make(value_name[2:], setup, used))
            elif value_name == BYTES:
                var = self._var()
                setup.append(f"val {var} = {self.lib.bytes}")
                used.update(re.findall(r"\b(rt_\w+)\(", self.lib.bytes))
                args.append(var)
            else:
                table = HANDLES if kind else HOSTILE[p.type]
                args.append(table[value_name])
        what = "baseline" if index is None else f"{decl.params[index].name}={value_name}"
        refuse = None
        if index is not None and value_name in REFUSED[decl.params[index].type] \
                and not self.lib.kind_of(decl.name, decl.params[index].name):
            refuse = decl.params[index].name
        line = f"{decl.name}({', '.join(args)})"
        soft, expect = decl.name in self.lib.failure, None
        if soft and index is not None and decl.result and self.lib.kind_of(decl.name, decl.params[index].name):
            expect = self.lib.failure[decl.name]
            line = f'print "{value_marker(decl.name, what)}{{{line}}}"'
        return Call(decl.name, self.lib.name, what, setup, line, used,
                    exits=decl.name in self.lib.exits, refuse=refuse, soft=soft, expect=expect)

    def calls(self, decl) -> list[Call]:
        """The baseline call and every hostile call of one declaration ([] if a type is unknown:
        a type sffi.abi does not have, since HOSTILE and BENIGN cover all of its types)."""
        unknown = [p.type for p in decl.params if p.type not in BENIGN]
        if unknown:
            self.skipped[unknown[0]] += 1
            return []
        out = [self._call(decl, None, "")]
        for i, p in enumerate(decl.params):
            for value_name in self._hostile(decl.name, p):
                out.append(self._call(decl, i, value_name))
        return out


def value_marker(extern: str, what: str) -> str:
    """The start of the output line that shows a call's value (Call.expect)."""
    return f"sweep-value {extern} {what}: "


def script(calls: list[Call], decls: dict) -> tuple[str, list[int]]:
    """The batch script and the 1-based line of each call's last line."""
    used = sorted(set().union(*(c.externs for c in calls)))
    lines = [decls[name].source() for name in used]
    body = "\n".join(l for c in calls for l in (*c.setup, c.line))
    wanted = [name for name in PRELUDE if re.search(rf"\b{name}\b", body)]
    for name in list(wanted):
        wanted[:0] = [n for n in PRELUDE_NEEDS.get(name, []) if n not in wanted]
    lines += [PRELUDE[name] for name in PRELUDE if name in wanted]
    text_lines = "\n".join(lines).splitlines()
    ends = []
    for c in calls:
        text_lines += [*c.setup, c.line]
        ends.append(len(text_lines))
    return "\n".join(text_lines) + "\n", ends


class ForkServer:
    """A runtime started once under forkserver.so; each script runs in a fork of it.

    Saves the start-up of a runtime linked with large libraries (2 s for
    --with=all here) on every script; each script is still its own process.
    """

    def __init__(self, runtime: Path, cwd: Path, env: dict, preload: Path):
        env = {**env, "LD_PRELOAD": str(preload), "SFFI_FORKSERVER": "1", "SFFI_FORKSERVER_TIMEOUT": str(TIMEOUT)}
        self.proc = subprocess.Popen([str(runtime)], cwd=cwd, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.cwd = cwd
        if self.proc.stdout.readline().strip() != "ready":
            self.close()
            raise OSError(f"{runtime} did not start under {preload.name}")

    def run(self, script: str) -> subprocess.CompletedProcess:
        """Runs ``script`` (relative to cwd); returncode is -N for signal N, like subprocess."""
        out, err = self.cwd / "sweep.out", self.cwd / "sweep.err"
        self.proc.stdin.write(f"{script}\t{out}\t{err}\n")
        self.proc.stdin.flush()
        how, _, number = self.proc.stdout.readline().partition(" ")
        if how not in ("exit", "signal"):
            raise OSError(f"the fork server stopped answering ({how!r})")
        code = int(number) if how == "exit" else -int(number)
        return subprocess.CompletedProcess(script, code, out.read_text(errors="replace"),
                                           err.read_text(errors="replace"))

    def close(self) -> None:
        """Stops the server."""
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def build_forkserver(out_dir: Path) -> Path | None:
    """Compiles forkserver.c into ``out_dir``; None when no C compiler works."""
    out = out_dir / "forkserver.so"
    src = Path(__file__).with_name("forkserver.c")
    if not out.exists() or out.stat().st_mtime < src.stat().st_mtime:
        out_dir.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run([os.environ.get("CC", "cc"), "-shared", "-fPIC", "-O1", "-o", str(out), str(src),
                               "-ldl"], capture_output=True)
        if proc.returncode != 0:
            return None
    return out


class Runner:
    """Runs batches of calls in ``runtime`` (cwd: a scratch directory) and judges each outcome.

    With ``preload`` (forkserver.so) the scripts run in forks of one started
    runtime; otherwise each is a fresh process.
    """

    def __init__(self, runtime: Path, decls: dict, env: dict | None = None, preload: Path | None = None):
        self.runtime, self.decls = runtime, decls
        self.cwd = Path(tempfile.mkdtemp(prefix="sffi-sweep-"))
        # allocator_may_return_null: an allocation too large to serve returns NULL, as glibc's
        # malloc does in a release build, so the library's handling of it is what is tested.
        self.env = {**os.environ, "ASAN_OPTIONS": "exitcode=86:detect_leaks=1:allocator_may_return_null=1",
                    "UBSAN_OPTIONS": "halt_on_error=1:exitcode=86:print_stacktrace=1", **(env or {})}
        self.processes = 0
        self.server = None
        if preload:
            try:
                self.server = ForkServer(runtime, self.cwd, self.env, preload)
            except OSError:  # e.g. a fully static runtime: LD_PRELOAD has no effect
                self.server = None

    def close(self) -> None:
        """Stops the fork server, if any."""
        if self.server:
            self.server.close()

    def _exec(self, calls: list[Call]) -> tuple[subprocess.CompletedProcess | None, list[int], str]:
        text, ends = script(calls, self.decls)
        (self.cwd / "sweep.spl").write_text(text)
        self.processes += 1
        if self.server:
            proc = self.server.run("sweep.spl")
            return (None if proc.returncode == -14 else proc), ends, text  # SIGALRM: the timeout
        try:
            proc = subprocess.run([str(self.runtime), "sweep.spl"], cwd=self.cwd, capture_output=True,
                                  text=True, errors="replace", timeout=TIMEOUT, env=self.env)
        except subprocess.TimeoutExpired:
            return None, ends, text
        return proc, ends, text

    def run(self, calls: list[Call]) -> list[Outcome]:
        """Every call's outcome, in order."""
        out: list[Outcome] = []
        batch = [c for c in calls if not c.exits]
        while batch:
            out += self._batch(batch[:BATCH])
            batch = batch[BATCH:]
        for c in calls:
            if c.exits:
                out.append(self._alone(c))
        return out

    def _batch(self, calls: list[Call]) -> list[Outcome]:
        out = []
        while calls:
            proc, ends, text = self._exec(calls)
            bad = proc is None or proc.returncode not in (0, 1) or _SANITIZER.search(proc.stderr)
            if bad:  # find which call: each alone
                return out + [self._alone(c) for c in calls]
            if proc.returncode == 0:
                return out + [self.returned(c, proc.stdout) for c in calls]
            m = _ERROR_LINE.search(proc.stderr)
            line = int(m.group(1)) if m else 0
            k = next((i for i, end in enumerate(ends) if line <= end), None)
            if k is None or line != ends[k]:
                where = f"call {k}: {calls[k].what}" if k is not None else "no error line"
                failed = calls[k] if k is not None else calls[0]
                return out + [Outcome(failed, f"setup failed ({where}): {proc.stderr[-2000:]}\n{text[-3000:]}")]
            out += [self.returned(c, proc.stdout) for c in calls[:k]]
            out.append(self._judge(calls[k], proc))
            calls = calls[k + 1:]
        return out

    def _alone(self, call: Call) -> Outcome:
        proc, ends, text = self._exec([call])
        if proc is None:
            return Outcome(call, f"hang (over {TIMEOUT} s)", text)
        stopped = 0 <= proc.returncode <= 255 and not _SANITIZER.search(proc.stderr)
        if call.exits and stopped and call.extern in proc.stderr:
            return Outcome(call, "error")
        if call.exits and stopped and not proc.stderr.strip():  # it exited with the code asked for
            return self.returned(call, proc.stdout)
        return self._judge(call, proc, text)

    @staticmethod
    def message(stderr: str) -> str:
        """The error message of ``stderr``, without the echoed source line (which always holds the
        call, so checking it for the extern's name could never fail)."""
        m = _MESSAGE.search(stderr)
        return m.group(1) if m else ""

    def _judge(self, call: Call, proc, text: str = "") -> Outcome:
        if _SANITIZER.search(proc.stderr) or proc.returncode not in (0, 1):
            how = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"
            return Outcome(call, f"crash ({how})", proc.stderr[-3000:] + "\n" + text[-2000:])
        if proc.returncode == 0:
            return self.returned(call, proc.stdout)
        if call.soft:
            return Outcome(call, "a script error where the contract returns a failure value", proc.stderr[-2000:])
        message = self.message(proc.stderr)
        if call.extern not in message:
            return Outcome(call, "error not naming the extern", proc.stderr[-2000:])
        if call.refuse and f"('{call.refuse}')" not in message:
            return Outcome(call, f"error not naming the parameter '{call.refuse}'", proc.stderr[-2000:])
        return Outcome(call, "error")

    @staticmethod
    def returned(call: Call, stdout: str = "") -> Outcome:
        """A call that returned: a pass, unless its value is one the runtime must refuse, or not the
        failure value its contract gives (``stdout``: the script's output, where the call printed it)."""
        if call.refuse:
            return Outcome(call, f"accepted an out-of-range value for '{call.refuse}'")
        if call.expect is not None:
            marker = value_marker(call.extern, call.what)
            got = [line[len(marker):] for line in stdout.splitlines() if line.startswith(marker)]
            if got != [call.expect]:
                shown = repr(got[0]) if got else "nothing"
                return Outcome(call, f"returned {shown}, not the failure value {call.expect!r}", stdout[-2000:])
        return Outcome(call, "returned")


def table_externs(runtime: Path) -> list[dict]:
    """The runtime's table: [{name, library, signature}, ...]."""
    out = subprocess.run([str(runtime), "--externs", "--json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["externs"]


def table_libs(runtime: Path) -> list[str]:
    """The libraries of the runtime's table, sorted."""
    return sorted({e["library"] for e in table_externs(runtime)})


def libraries(runtime: Path, only: list[str] | None = None, decl_files: dict | None = None) -> list[Library]:
    """The swept libraries of ``runtime`` (its table's, restricted to ``only``): those under
    ffi_libs/, and those of ``decl_files`` (library -> its declaration files), e.g. test libraries."""
    entries = table_externs(runtime)
    recipes = tomllib.loads(RECIPES.read_text())
    found = manifest_mod.discover(ROOT / "ffi_libs")
    libs = []
    for name in sorted({e["library"] for e in entries}):
        if (only and name not in only) or (name not in found and name not in (decl_files or {})):
            continue
        if name in (decl_files or {}):
            decls = decls_mod.parse_files(decl_files[name])[0]
        else:
            decls = table_mod.library_decls(found[name])[0].declarations
        libs.append(Library(name, decls, recipes.get(name, {}), {e["name"] for e in entries if e["library"] == name}))
    return libs


UNDECLARED = "recipes.toml names undeclared externs"


def probe_kinds(lib: Library, runner: Runner) -> None:
    """Marks the kinds whose handles cannot be made here (``lib.unavailable``: kind -> why)."""
    gen = Generator(lib)
    for kind, spec in lib.kinds.items():
        missing = [n for n in re.findall(r"\b(rt_\w+)\(", spec["make"]) + [spec["free"]] if n not in lib.decls]
        if missing:
            lib.unavailable[kind] = f"{UNDECLARED} {missing}"
            continue
        setup, used = [], set()
        var = gen.make(kind, setup, used)
        probe = Call(spec["free"], lib.name, "probe", setup, f"{spec['free']}({var})", used | {spec["free"]})
        outcome = runner.run([probe])[0]
        if outcome.kind != "returned":
            error = re.search(r"error: (.*)", outcome.kind)
            lib.unavailable[kind] = f"making one fails here: {error.group(1) if error else outcome.kind[:200]}"


def lost_kinds(lib: Library) -> dict[str, str]:
    """The unavailable kinds of ``lib`` that the sweep may not do without (kind -> why).

    A kind whose recipe names an extern the library does not declare is always lost (a
    renamed extern: fix recipes.toml); one whose handle cannot be made is lost unless its
    recipe says ``optional = true`` (it needs what this machine may lack, e.g. CUDA). Without
    this, every parameter of a lost kind gets only made-up handles, every call "errors" as
    expected, and the sweep passes having exercised none of the library's real objects.
    """
    lost = {}
    for kind, why in lib.unavailable.items():
        if why.startswith(UNDECLARED) or not lib.kinds[kind].get("optional", False):
            lost[kind] = why
    return lost


@dataclasses.dataclass
class Report:
    """The sweep's figures and its failures."""

    calls: int = 0
    externs: int = 0
    processes: int = 0
    returned: int = 0
    errors: int = 0
    seconds: float = 0.0      # the sweep's wall time
    skipped: Counter = dataclasses.field(default_factory=Counter)
    uncovered: list[str] = dataclasses.field(default_factory=list)
    unavailable: dict[str, str] = dataclasses.field(default_factory=dict)  # "lib.kind" -> why
    lost: dict[str, str] = dataclasses.field(default_factory=dict)  # those not optional (lost_kinds)
    failures: list[Outcome] = dataclasses.field(default_factory=list)

    def summary(self, runtime: Path, names: list[str]) -> str:
        """What was done, on a few lines."""
        lines = [f"misuse sweep of {runtime} ({', '.join(names)}): {self.calls} calls to {self.externs} externs "
                 f"in {self.processes} scripts: {self.returned} returned, {self.errors} script errors naming "
                 f"the extern, {len(self.failures)} failures; {self.seconds:.0f} s"]
        if self.skipped:
            lines.append("  externs skipped, by the parameter type the generator does not know: " +
                         ", ".join(f"{t} x{n}" for t, n in sorted(self.skipped.items())))
        for kind, why in sorted(self.unavailable.items()):
            optional = "" if kind in self.lost else ", optional in recipes.toml"
            lines.append(f"  handle kind {kind}: only made-up handles ({why}{optional})")
        if self.uncovered:
            lines.append(f"  in the table but not declared under ffi_libs/: {', '.join(self.uncovered)}")
        return "\n".join(lines)


def sweep(runtime: Path, only: list[str] | None = None, env: dict | None = None,
          preload: Path | None = None, decl_files: dict | None = None) -> Report:
    """Run the whole sweep over ``runtime``'s libraries (``only``: these; ``decl_files``:
    see :func:`libraries`), in forks of one started runtime with ``preload`` (:func:`build_forkserver`)."""
    report, start = Report(), time.monotonic()
    libs = libraries(runtime, only, decl_files)
    for lib in libs:
        runner = Runner(runtime, lib.decls, {**(env or {}), **sandbox.env_for(lib.name)}, preload)
        probe_kinds(lib, runner)
        report.unavailable.update({f"{lib.name}.{k}": why for k, why in lib.unavailable.items()})
        report.lost.update({f"{lib.name}.{k}": why for k, why in lost_kinds(lib).items()})
        gen = Generator(lib)
        calls = []
        for name in sorted(lib.in_table):
            if name not in lib.decls:
                report.uncovered.append(name)
                continue
            made = gen.calls(lib.decls[name])
            report.externs += bool(made)
            calls += made
        report.skipped.update(gen.skipped)
        outcomes = runner.run(calls)
        runner.close()
        for outcome in outcomes:
            report.calls += 1
            if outcome.kind == "returned":
                report.returned += 1
            elif outcome.kind == "error":
                report.errors += 1
            else:
                report.failures.append(outcome)
        report.processes += runner.processes
    report.seconds = time.monotonic() - start
    return report


def describe(outcome: Outcome) -> str:
    """One failure: the extern, the misuse, what happened, the script."""
    c = outcome.call
    return f"{c.extern} ({c.library}) with {c.what}: {outcome.kind}\n{outcome.detail[-3000:]}"


def main(argv: list[str]) -> int:
    fork = "--fork" in argv
    argv = [a for a in argv if a != "--fork"]
    if len(argv) < 2:
        print("usage: python tests/integration/sweep/misuse.py [--fork] RUNTIME [LIB...]", file=sys.stderr)
        return 2
    runtime = Path(argv[1]).resolve()
    preload = build_forkserver(ROOT / "build" / "sweep") if fork else None
    report = sweep(runtime, argv[2:] or None, preload=preload)
    names = [lib for lib in table_libs(runtime) if not argv[2:] or lib in argv[2:]]
    print(report.summary(runtime, names))
    for f in report.failures:
        print(describe(f))
    return 1 if report.failures or report.lost else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
