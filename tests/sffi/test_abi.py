"""sffi.abi is the one source of truth: the C headers, the runtime's type table and its marshalling are held to it.

Adding a type to sffi/abi.py without the matching enumerator, union member,
slice or optional struct, runtime type name, or case of marshal.c's switches
fails here, naming what is missing; and the runtime's build refuses a switch
over sffi_type that misses a type (-Werror=switch), shown on marshal.c itself.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

from sffi import abi
from sffi.plan import layout as layout_mod
from sffi.plan.deps import Dependencies
from sffi.plan.planner import Planner

ROOT = Path(__file__).resolve().parents[2]
TABLE_H = (ROOT / "runtime" / "include" / "sffi_table.h").read_text()
ABI_H = (ROOT / "runtime" / "include" / "sffi_abi.h").read_text()
ABI_C = (ROOT / "runtime" / "src" / "abi.c").read_text()
MARSHAL_C = (ROOT / "runtime" / "src" / "marshal.c").read_text()


def _enum() -> dict[str, int]:
    body = re.search(r"typedef enum sffi_type \{(.*?)\} sffi_type;", TABLE_H, re.S).group(1)
    return {name: int(value, 0) for name, value in re.findall(r"(SFFI_\w+) = (0x[0-9a-fA-F]+|\d+)", body)}


def test_the_sffi_type_enum_is_abi_py():
    expected = {t.enum: t.code for t in abi.TYPES.values()}
    expected.update(SFFI_NONE=abi.NONE_CODE, SFFI_TUPLE=abi.TUPLE_CODE, SFFI_TUPLE_ARRAY=abi.TUPLE_ARRAY_CODE,
                    SFFI_OPTIONAL=abi.OPTIONAL)
    assert _enum() == expected
    assert f"#define SFFI_MAX_PARAMS {abi.MAX_PARAMS}" in TABLE_H
    assert f"#define SFFI_MAX_TUPLE {abi.MAX_TUPLE}" in TABLE_H
    assert f"#define SFFI_ABI_VERSION {abi.ABI_VERSION}" in ABI_H
    assert max(t.code for t in abi.TYPES.values()) < abi.TUPLE_CODE < abi.TUPLE_ARRAY_CODE < abi.OPTIONAL  # codes fit the flag


def test_the_sffi_value_union_has_every_field_with_its_c_type():
    body = re.search(r"typedef union sffi_value \{(.*?)\} sffi_value;", TABLE_H, re.S).group(1)
    members = {name: ctype.strip() for ctype, name in re.findall(r"^\s*(.+?)\s*\b(\w+);", body, re.M)}
    for t in abi.TYPES.values():
        assert members.get(t.field) == t.c_result, t.spelling
    for s in abi.SCALARS:
        item = abi.item(f"{s}?")
        assert members.get(item.field) == item.c_result, item.spelling
    assert members.get(abi.TUPLE_ARRAY_FIELD) == abi.TUPLE_SLICE_C  # an array of tuples' slice


def test_sffi_abi_h_defines_every_slice_and_optional_struct():
    for t in abi.TYPES.values():
        if t.is_array:
            data = t.c_params[0]
            assert f"typedef struct {t.c_result} {{ {data}{'' if data.endswith('*') else ' '}data; int64_t len; }} " \
                   f"{t.c_result};" in ABI_H, t.c_result
    for s in abi.SCALARS.values():
        name = f"sffi_opt_{s.spelling}"
        assert f"typedef struct {name} {{ {s.c} value; bool present; }} {name};" in ABI_H, name
    slice_ = abi.TUPLE_SLICE_C
    assert f"typedef struct {slice_} {{ const void *data; int64_t len; }} {slice_};" in ABI_H


def test_the_runtime_type_table_is_abi_py():
    names = dict(re.findall(r"\[(SFFI_\w+)\] = \"([^\"]+)\"", ABI_C))
    expected = {t.enum: t.spelling for t in abi.TYPES.values()}
    expected["SFFI_NONE"] = "none"
    assert names == expected


def _function_body(source: str, signature: str) -> str:
    start = source.index(signature)
    return source[start:source.index("\n}\n", start)]


_KINDS = {("int", True): "K_SIGNED", ("int", False): "K_UNSIGNED", ("float", True): "K_FLOAT", ("bool", False): "K_BOOL"}


def test_marshal_reads_each_scalar_with_the_size_and_kind_of_abi_py():
    body = _function_body(MARSHAL_C, "static Kind scalar_kind(sffi_type code, size_t *size)")
    cases = {enum: (size, kind) for enum, size, kind in
             re.findall(r"case (SFFI_\w+): \*size = (\d+|sizeof\(char \*\)); return (K_\w+);", body)}
    expected = {abi.TYPES[s.spelling].enum: (str(s.size), _KINDS[s.kind, s.signed]) for s in abi.SCALARS.values()}
    expected["SFFI_TEXT"] = ("sizeof(char *)", "K_TEXT")
    assert cases == expected


def test_marshal_maps_each_array_to_the_element_of_abi_py():
    body = _function_body(MARSHAL_C, "static sffi_type array_element(sffi_type code)")
    cases = dict(re.findall(r"case (SFFI_\w+_ARRAY): return (SFFI_\w+);", body))
    assert cases == {t.enum: abi.TYPES[t.element].enum for t in abi.TYPES.values() if t.is_array}


@pytest.mark.parametrize("signature", ["static Kind scalar_kind(sffi_type code, size_t *size)",
                                       "static sffi_type array_element(sffi_type code)"])
def test_marshal_switches_name_every_type_and_have_no_default(signature):
    body = _function_body(MARSHAL_C, signature)
    assert "default" not in body
    assert set(re.findall(r"case (SFFI_\w+):", body)) == set(_enum())


def test_the_runtime_build_refuses_a_switch_that_misses_a_type(tmp_path):
    planner = Planner({}, layout_mod.Layout("release"), Dependencies(lambda *a, **k: None, log=lambda _: None), ROOT)
    step = planner.graph.producer(planner.runtime_objects()[0])
    flags = ["-Wall", "-Wextra", *planner.graph.envs[step.env].append["CCFLAGS"]]
    missing = MARSHAL_C.replace("    case SFFI_F32: *size = 4; return K_FLOAT;\n", "")
    assert missing != MARSHAL_C
    (tmp_path / "marshal.c").write_text(missing)
    cc = os.environ.get("CC", "cc")
    proc = subprocess.run([cc, "-std=c11", "-D_POSIX_C_SOURCE=200809L", *flags, "-fsyntax-only",
                           f"-I{ROOT / 'runtime' / 'include'}", f"-I{ROOT / 'runtime' / 'src'}", str(tmp_path / "marshal.c")],
                          capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
    assert proc.returncode != 0 and "enumeration value 'SFFI_F32' not handled in switch" in proc.stderr
