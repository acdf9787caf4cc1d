"""Suppression files (libabigail's format): parsing, errors located file:line, matching."""

import pytest

from sffi.errors import SffiError
from sffi.report.diff import Change
from sffi.report.suppress import load, parse

GOOD = """# comments start with # or ;
; at the start of a line
[suppress_function]
  label = "old entry points"
  name_regexp = ^rt_demo_old_
  name_not_regexp = _keep$
  change_kind = deleted-function, signature-change

[suppress_function]
  symbol_name = f_exact

[suppress_variable]
  name = g_debug
  change_kind = variable-subtype-change
"""


def removed(name, what="function"):
    return Change("removed", what, name, incompatible=True)


def changed(name, attribute, what="function"):
    return Change("changed", what, name, attribute=attribute, old="a", new="b", incompatible=True)


def test_parse_sections_and_properties():
    specs = parse(GOOD, "x.supp")
    assert [(s.section, s.location) for s in specs] == [
        ("suppress_function", "x.supp:3"), ("suppress_function", "x.supp:9"), ("suppress_variable", "x.supp:12")]
    first, exact, variable = specs
    assert first.label == "old entry points" and first.describe() == "old entry points"
    assert first.change_kinds == {"deleted-function", "signature-change"}
    assert exact.name == "f_exact" and exact.change_kinds == {"all"}  # symbol_name: a synonym of name
    assert exact.describe() == "[suppress_function] at x.supp:9"
    assert variable.name == "g_debug"


def test_matching_rules():
    first, exact, variable = parse(GOOD, "x.supp")
    # regexps are searched (not anchored), name_not_regexp excludes, change kinds filter
    assert first.matches(removed("rt_demo_old_open"))
    assert not first.matches(removed("rt_demo_old_open_keep"))
    assert not first.matches(removed("my_rt_demo_old_x"))  # ^ anchors
    assert first.matches(changed("rt_demo_old_open", "signature"))
    assert not first.matches(changed("rt_demo_old_open", "binding"))
    assert not first.matches(Change("added", "function", "rt_demo_old_new"))
    # externs are functions; a function section never matches variables
    assert first.matches(removed("rt_demo_old_open", what="extern"))
    assert not first.matches(removed("rt_demo_old_open", what="variable"))
    assert exact.matches(changed("f_exact", "visibility")) and not exact.matches(removed("f_exact2"))
    assert variable.matches(changed("g_debug", "size", what="variable"))
    assert not variable.matches(removed("g_debug", what="variable"))  # only sub-type changes
    assert not variable.matches(changed("g_debug", "size", what="function"))


@pytest.mark.parametrize("text, line, words", [
    ("[suppress_fnction]\nname = x\n", 1, ["unknown section [suppress_fnction]", "did you mean 'suppress_function'"]),
    ("[suppress_type]\nname = T\n", 1, ["[suppress_type] is not supported", "use [suppress_function]"]),
    ("# lead\nname = x\n[suppress_function]\n", 2, ["property 'name' outside a section", "put it under"]),
    ("[suppress_function]\nnmae = x\n", 2, ["unknown property 'nmae'", "did you mean 'name'"]),
    ("[suppress_function]\nparameter = '0 int\n", 2, ["'parameter' of libabigail is not supported", "remove it"]),
    ("[suppress_function]\nname = a\nname = b\n", 3, ["'name' given twice", "first at line 2"]),
    ("[suppress_function]\nname = a\nsymbol_name = b\n", 3, ["repeats 'name' (line 2)"]),
    ("[suppress_function]\nname_regexp = f_(\n", 2, ["bad regular expression in name_regexp", "'f_('"]),
    ("[suppress_function]\nsymbol_name_regexp = [a\n", 2, ["bad regular expression in symbol_name_regexp"]),
    ("\n[suppress_function]\nlabel = nothing\n", 2, ["[suppress_function] names nothing", "add name, name_regexp"]),
    ("[suppress_function]\nname = x\nchange_kind = added-variable\n", 3,
     ["unknown change_kind 'added-variable'", "belongs in [suppress_variable]"]),
    ("[suppress_variable]\nname = x\nchange_kind = removed-variable\n", 3,
     ["unknown change_kind 'removed-variable'", "use one of all, added-variable"]),
    ("[suppress_function]\njust some words\n", 2, ["expected 'property = value'"]),
    ("[suppress_function]\nname =\n", 2, ["property 'name' has no value"]),
    ("[suppress_function\nname = x\n", 1, ["unterminated section header"]),
])
def test_errors_name_file_line_and_the_fix(text, line, words):
    with pytest.raises(SffiError) as err:
        parse(text, "bad.supp")
    assert err.value.location == f"bad.supp:{line}"
    for word in words:
        assert word in err.value.message, err.value.message
    assert "\n" not in str(err.value)


def test_load_files_in_order_and_unreadable(tmp_path):
    a = tmp_path / "a.supp"
    a.write_text("[suppress_function]\nname = one\n")
    b = tmp_path / "b.abignore"
    b.write_text("[suppress_variable]\nname = two\n")
    assert [s.name for s in load([a, b])] == ["one", "two"]
    with pytest.raises(SffiError) as err:
        load([tmp_path / "missing.supp"])
    assert err.value.location == str(tmp_path / "missing.supp")
    assert "cannot read the suppression file" in err.value.message
