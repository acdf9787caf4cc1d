"""sffi.abi is the one source of truth: the C headers and the runtime's type table are held to it.

Adding a type to sffi/abi.py without the matching enumerator, union member,
slice or optional struct, or runtime type name fails here, naming what is missing.
"""

import re
from pathlib import Path

from sffi import abi

ROOT = Path(__file__).resolve().parents[2]
TABLE_H = (ROOT / "runtime" / "include" / "sffi_table.h").read_text()
ABI_H = (ROOT / "runtime" / "include" / "sffi_abi.h").read_text()
EXTERNS_C = (ROOT / "runtime" / "src" / "externs.c").read_text()


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
    names = dict(re.findall(r"\[(SFFI_\w+)\] = \"([^\"]+)\"", EXTERNS_C))
    expected = {t.enum: t.spelling for t in abi.TYPES.values()}
    expected["SFFI_NONE"] = "none"
    assert names == expected
