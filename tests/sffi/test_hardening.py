"""sffi.hardening's audit on real linked programs: one hardened, and one without each protection.

Each program is compiled and linked here with the machine's cc; the audit must
name exactly the protection that was left out, and its verdict must agree with
Debian's ``checksec`` on the same files.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from cbuild import CC, run, write
from sffi import hardening
from sffi.errors import SffiError

SOURCE = r"""
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
    char buf[64];
    strcpy(buf, argv[0]);            /* __strcpy_chk with _FORTIFY_SOURCE; a canary for buf */
    printf("%s %d\n", buf, argc);    /* __printf_chk */
    return buf[1] == 'x';
}
"""

HARDENED = ["-O2", "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2", "-fPIE", "-pie",
            "-Wl,-z,relro", "-Wl,-z,now", "-Wl,-z,noexecstack"]
LINKED = [c for c in hardening.CHECKS if c != "split-debug"]

#: check -> how to build without it: (flags removed from HARDENED, flags added)
WITHOUT = {
    "relro": (["-Wl,-z,relro", "-Wl,-z,now"], ["-Wl,-z,norelro"]),
    "bindnow": (["-Wl,-z,now"], ["-Wl,-z,lazy"]),
    "pie": (["-fPIE", "-pie"], ["-fno-PIE", "-no-pie"]),
    "nxstack": (["-Wl,-z,noexecstack"], ["-Wl,-z,execstack"]),
    "stack-protector": (["-fstack-protector-strong"], ["-fno-stack-protector"]),
    "fortify": (["-D_FORTIFY_SOURCE=2"], ["-U_FORTIFY_SOURCE"]),
}


def link(tmp_path, name: str, flags: list[str]):
    src = write(tmp_path / "prog.c", SOURCE)
    out = tmp_path / name
    run([CC, *flags, str(src), "-o", str(out)])
    return out


def without(check: str) -> list[str]:
    removed, added = WITHOUT[check]
    return [f for f in HARDENED if f not in removed] + added


def named(problems: list[str]) -> set[str]:
    return {p.split(":", 1)[0] for p in problems}


def test_a_hardened_program_passes(tmp_path):
    assert hardening.audit(link(tmp_path, "hardened", HARDENED), LINKED) == []


@pytest.mark.parametrize("check", list(WITHOUT))
def test_the_audit_names_the_protection_left_out(tmp_path, check):
    program = link(tmp_path, f"no-{check}", without(check))
    problems = hardening.audit(program, LINKED)
    # -z norelro leaves BIND_NOW out too: full RELRO needs both
    assert named(problems) == ({"relro", "bindnow"} if check == "relro" else {check}), problems
    message = next(p for p in problems if p.startswith(check))
    assert "fix: " in message and hardening.CHECKS[check].fix in message
    # a check turned off is not audited
    assert check not in named(hardening.audit(program, [c for c in LINKED if c != check]))


def test_split_debug_wants_the_sections_moved_to_a_matching_file(tmp_path):
    program = link(tmp_path, "simple", [*HARDENED, "-g", "-Wl,--build-id=sha1"])
    [problem] = hardening.audit(program, ["split-debug"])
    assert problem.startswith("split-debug: the binary carries .debug_") and "objcopy" in problem
    debug = tmp_path / "simple.debug"
    run(["objcopy", "--only-keep-debug", str(program), str(debug)])
    run(["objcopy", "--strip-debug", f"--add-gnu-debuglink={debug}", str(program)])
    assert hardening.audit(program, ["split-debug"]) == []
    facts = hardening.read_facts(program)
    assert facts.debug_sections == [] and facts.debuglink == "simple.debug" and len(facts.build_id) == 40
    # the debug file of another build (another build id) is not this binary's
    other = link(tmp_path / "other", "simple", [*HARDENED, "-O1", "-g", "-Wl,--build-id=sha1"])
    run(["objcopy", "--only-keep-debug", str(other), str(debug)])
    [problem] = hardening.audit(program, ["split-debug"])
    assert "has build id" in problem
    debug.unlink()
    [problem] = hardening.audit(program, ["split-debug"])
    assert problem.startswith(f"split-debug: {debug} is missing")


def test_a_file_that_is_not_elf_is_a_scan_error(tmp_path):
    bad = write(tmp_path / "simple", "#!/bin/sh\n")
    with pytest.raises(SffiError, match="not an ELF file"):
        hardening.audit(bad, LINKED)


@pytest.mark.parametrize("text, off", [("all", set()), ("", set()), ("off", set(hardening.CHECKS)),
                                       ("no-fortify, no-pie", {"fortify", "pie"})])
def test_the_option_turns_checks_off(text, off):
    assert hardening.parse_option(text) == off


def test_an_unknown_option_word_names_the_known_checks():
    with pytest.raises(SffiError, match=r"unknown value 'fortify'.*no-CHECK.*stack-protector"):
        hardening.parse_option("fortify")


def test_what_each_mode_gets():
    assert hardening.enabled("release", "none")[0] == list(hardening.CHECKS)
    names, notes = hardening.enabled("release", "address")
    assert "fortify" not in names and notes == ["fortify off: --sanitize=address (ASan intercepts the libc "
                                                "calls FORTIFY replaces)"]
    names, notes = hardening.enabled("debug", "none", frozenset({"pie"}))
    assert names == ["relro", "bindnow", "nxstack", "stack-protector"]
    assert [n.split(":")[0] for n in notes] == ["pie off", "fortify off", "split-debug off"]


def checksec(program) -> dict:
    proc = subprocess.run(["checksec", f"--file={program}", "--output=json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)[str(program)]


@pytest.mark.parametrize("check", [None, *WITHOUT])
def test_the_audit_agrees_with_checksec(tmp_path, check):
    if shutil.which("checksec") is None:
        pytest.skip("checksec (Debian package checksec) is not installed")
    program = link(tmp_path, f"no-{check}", HARDENED if check is None else without(check))
    facts, theirs = hardening.read_facts(program), checksec(program)
    relro = "full" if facts.relro and facts.bindnow else "partial" if facts.relro else "no"
    assert theirs["relro"] == relro
    assert theirs["pie"] == ("yes" if facts.pie else "no")
    assert theirs["nx"] == ("yes" if facts.nxstack else "no")
    assert theirs["canary"] == ("yes" if facts.stack_protector else "no")
    assert theirs["fortify_source"] == ("yes" if facts.fortify else "no")
