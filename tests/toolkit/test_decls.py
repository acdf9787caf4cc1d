"""Tier-2 declaration parsing: syntax, locations, duplicates, encodings."""

import pytest

from sffi import decls
from sffi.errors import EXIT_ERROR, EXIT_INCOMPATIBLE, SffiError


def parse(text, name="lib.spl"):
    return decls.parse_text(text, name)


def test_all_types_and_no_result():
    found, diags = parse("extern fn rt_x_all(a: i64, b: i32, c: f64, d: bool, e: text, "
                         "f: [i64], g: [f64], h: [text]) -> [text]\nextern fn rt_x_none()\n")
    assert diags == []
    assert found[0].signature == "(i64, i32, f64, bool, text, [i64], [f64], [text]) -> [text]"
    assert found[1].signature == "()" and found[1].result is None
    assert found[0].source() == ("extern fn rt_x_all(a: i64, b: i32, c: f64, d: bool, e: text, "
                                 "f: [i64], g: [f64], h: [text]) -> [text]")


def test_other_code_comments_tabs_crlf_and_bom_are_accepted():
    text = ("\ufeff# header comment\r\n\r\nval x = 1\r\nfn helper(a):\r\n    return a\r\n"
            "extern fn rt_x_a(n:\ti64)\t->\tbool   # trailing comment\r\n"
            "    extern fn rt_x_b( s : text ) -> text\r\n")
    found, diags = parse(text)
    assert diags == []
    assert [(d.name, d.line, d.col, d.signature) for d in found] == [
        ("rt_x_a", 6, 1, "(i64) -> bool"), ("rt_x_b", 7, 5, "(text) -> text")]


@pytest.mark.parametrize("line, col, fragment", [
    ("extern fn rt_x(a: int)", 19, "unknown type 'int'"),
    ("extern fn rt_x(a: [bool])", 19, "unknown type '[bool]'"),
    ("extern fn 9lives()", 11, "bad extern function name '9lives'"),
    ("extern fn rt_x(a i64)", 18, "expected ':' after parameter 'a'"),
    ("extern fn rt_x(a: i64", 22, "expected ',' between parameters, found end of line"),
    ("extern fn rt_x() ->", 20, "expected a type, found end of line"),
    ("extern fn rt_x() -> i64 extra", 25, "unexpected 'extra'"),
    ("extern rt_x()", 8, "expected 'fn' after 'extern'"),
    ("extern fn rt_x(a: i64, a: f64)", 24, "parameter 'a' appears twice"),
    ("extern fn rt_x(a: i64 $)", 23, "expected ',' between parameters, found '$'"),
])
def test_malformed_lines_report_file_line_col(line, col, fragment):
    _, diags = parse("# ok\n" + line + "\n")
    assert len(diags) == 1
    assert diags[0].location == f"lib.spl:2:{col}"
    assert fragment in diags[0].message


def test_too_many_parameters():
    params = ", ".join(f"p{i}: i64" for i in range(17))
    _, diags = parse(f"extern fn rt_x({params})\n")
    assert "at most 16" in diags[0].message


def test_exact_duplicate_is_a_warning(tmp_path):
    a = tmp_path / "a.spl"
    b = tmp_path / "b.spl"
    a.write_text("extern fn rt_x_f(n: i64) -> i64\n")
    b.write_text("# again\nextern fn rt_x_f(count: i64) -> i64\n")
    found, warnings = decls.parse_files([a, b])
    assert list(found) == ["rt_x_f"] and found["rt_x_f"].file == str(a)
    assert len(warnings) == 1 and warnings[0].severity == "warning"
    assert warnings[0].location == f"{b}:2:1" and f"{a}:1:1" in warnings[0].message


def test_conflicting_duplicate_is_an_error_showing_both_places(tmp_path):
    a = tmp_path / "a.spl"
    a.write_text("extern fn rt_x_f(n: i64) -> i64\n\nextern fn rt_x_f(n: i64) -> f64\n")
    with pytest.raises(decls.DeclarationError) as info:
        decls.parse_files([a])
    message = str(info.value)
    assert f"{a}:3:1" in message and f"{a}:1:1" in message
    assert "(i64) -> f64" in message and "(i64) -> i64" in message
    assert info.value.status == EXIT_INCOMPATIBLE


def test_every_error_is_collected(tmp_path):
    a = tmp_path / "a.spl"
    a.write_text("extern fn rt_a(x: int)\nextern fn rt_b(y: float)\n")
    with pytest.raises(decls.DeclarationError) as info:
        decls.parse_files([a])
    assert [d.location for d in info.value.diagnostics] == [f"{a}:1:19", f"{a}:2:19"]
    assert info.value.status == EXIT_ERROR


def test_unreadable_files_are_clear_errors(tmp_path):
    with pytest.raises(SffiError, match="does not exist"):
        decls.parse_files([tmp_path / "missing.spl"])
    bad = tmp_path / "latin1.spl"
    bad.write_bytes(b"# caf\xe9\n")
    with pytest.raises(SffiError, match="not UTF-8"):
        decls.parse_files([bad])
