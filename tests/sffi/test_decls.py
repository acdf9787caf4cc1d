"""Tier-2 declaration parsing: syntax, locations, duplicates, encodings."""

import os

import pytest

from sffi import decls
from sffi.errors import EXIT_ERROR, EXIT_INCOMPATIBLE, EXIT_REVIEW, SffiError


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
    ("extern fn rt_x(a: [u128])", 19, "unknown type '[u128]'"),
    ("extern fn rt_x(a: [[i64]])", 20, "expected an element type, found '['"),
    ("extern fn rt_x(a: text?)", 23, "an optional type 'T?' is allowed only as a result"),
    ("extern fn rt_x() -> ((i64))", 22, "a tuple element cannot be a tuple"),
    ("extern fn rt_x() -> ()", 21, "a tuple result has 1 to 8 elements, not 0"),
    ("extern fn rt_x() -> (" + ", ".join(["i64"] * 9) + ")", 21, "a tuple result has 1 to 8 elements, not 9"),
    ("extern fn rt_x() -> i64??", 25, "unexpected '?' after the declaration"),
    ("extern fn rt_x(a: [(text, text)])", 19, "an array of tuples '[(T1, ..., Tn)]' is allowed only as a result"),
    ("extern fn rt_x() -> ([(text, text)])", 22, "a tuple element cannot be a tuple or an array of tuples"),
    ("extern fn rt_x() -> [(text, text)", 34, "expected ']' to close the array of tuples, found end of line"),
    ("extern fn rt_x() -> [()]", 22, "a tuple result has 1 to 8 elements, not 0"),
    ("extern fn rt_x() -> [(text, int)]", 29, "unknown type 'int'"),
    ("extern fn rt_x() -> [(text)]??", 30, "unexpected '?' after the declaration"),
    ("pub extern rt_x()", 12, "expected 'fn' after 'extern', found 'rt_x'"),
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


# ---- ABI v2 forms, in the style of Simple's Tier-2 files ----

SIMPLE_STYLE = """\
# Tier-2 declarations as Simple writes them.
@unsafe("raw process handles")
#[runtime_intrinsics]
pub extern fn rt_process_run(cmd: text, args: [text]) -> (text, text, i64)
extern fn rt_crypto_hash(data: [u8]) -> [u8]
extern fn rt_window_create(handle: i64, width: u32, height: u32) -> bool
extern fn rt_audio_samples(rates: [u32]) -> [u32]
extern fn rt_vulkan_create_image(
    device: i64,
    width: u32,
    height: u32,     # pixels
    format: i32,
) -> (bool, text)
extern fn rt_env_lookup(name: text) -> text?
extern fn rt_dir_list(path: text) -> [text]?
extern fn rt_scalars(a: i8, b: i16, c: i32, d: i64, e: u8, f: u16, g: u32, h: u64, i: f32, j: f64, k: bool)
extern fn rt_arrays(a: [i8], b: [i16], c: [i32], d: [u16], e: [u64], f: [f32], g: [bool]) -> [i16]
extern fn rt_opt_scalar() -> u64?
extern fn rt_wide() -> (i8, [u8], text?, [f32]?, u16?, bool, f64, [text])
"""


def test_every_v2_form_parses_with_its_signature():
    found, diags = parse(SIMPLE_STYLE)
    assert diags == []
    by_name = {d.name: d for d in found}
    assert {n: d.signature for n, d in by_name.items()} == {
        "rt_process_run": "(text, [text]) -> (text, text, i64)",
        "rt_crypto_hash": "([u8]) -> [u8]",
        "rt_window_create": "(i64, u32, u32) -> bool",
        "rt_audio_samples": "([u32]) -> [u32]",
        "rt_vulkan_create_image": "(i64, u32, u32, i32) -> (bool, text)",
        "rt_env_lookup": "(text) -> text?",
        "rt_dir_list": "(text) -> [text]?",
        "rt_scalars": "(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, bool)",
        "rt_arrays": "([i8], [i16], [i32], [u16], [u64], [f32], [bool]) -> [i16]",
        "rt_opt_scalar": "() -> u64?",
        "rt_wide": "() -> (i8, [u8], text?, [f32]?, u16?, bool, f64, [text])",
    }
    run = by_name["rt_process_run"]
    assert run.pub and run.location == "lib.spl:4:1"
    assert run.attributes == ('@unsafe("raw process handles")', "#[runtime_intrinsics]")
    assert run.source() == "pub extern fn rt_process_run(cmd: text, args: [text]) -> (text, text, i64)"
    image = by_name["rt_vulkan_create_image"]
    assert (image.line, [p.name for p in image.params]) == (8, ["device", "width", "height", "format"])
    assert not by_name["rt_crypto_hash"].pub and by_name["rt_crypto_hash"].attributes == ()


def test_three_bad_lines_keep_the_good_declarations_and_report_all_three(tmp_path):
    text = ("extern fn rt_ok_a(x: u32) -> [u8]\n"
            "extern fn rt_bad_a(x: u128) -> i64\n"
            "pub extern fn rt_ok_b() -> (text, i64)\n"
            "extern fn rt_bad_b(x i64)\n"
            "extern fn rt_bad_c() -> [i64]? junk\n"
            "extern fn rt_ok_c(\n    data: [u8],\n) -> text?\n")
    found, diags = parse(text)
    assert [d.name for d in found] == ["rt_ok_a", "rt_ok_b", "rt_ok_c"]
    assert [d.location for d in diags] == ["lib.spl:2:23", "lib.spl:4:22", "lib.spl:5:32"]
    spl = tmp_path / "lib.spl"
    spl.write_text(text)
    with pytest.raises(decls.DeclarationError) as info:
        decls.parse_files([spl])
    assert list(info.value.declarations) == ["rt_ok_a", "rt_ok_b", "rt_ok_c"]
    assert info.value.status == EXIT_ERROR and len(str(info.value).splitlines()) == 3


def test_several_errors_on_one_line_are_all_reported():
    _, diags = parse("extern fn rt_x(a: u128, b: foo) -> bar\n")
    assert [(d.location, d.message.split(" (")[0]) for d in diags] == [
        ("lib.spl:1:19", "unknown type 'u128'"), ("lib.spl:1:28", "unknown type 'foo'"),
        ("lib.spl:1:36", "unknown type 'bar'")]


def test_an_unclosed_declaration_stops_at_the_next_one():
    found, diags = parse("extern fn rt_a(x: i64,\n  y: i64\nextern fn rt_b() -> i64\n")
    assert [d.name for d in found] == ["rt_b"]
    assert len(diags) == 1 and diags[0].location == "lib.spl:2:9" and "found end of line" in diags[0].message


def test_conflicting_duplicate_across_files_names_both_places(tmp_path):
    a, b = tmp_path / "a.spl", tmp_path / "b.spl"
    a.write_text("extern fn rt_x_f(data: [u8]) -> (text, i64)\n")
    b.write_text("\n\nextern fn rt_x_f(data: [u8]) -> (text, i32)\n")
    with pytest.raises(decls.DeclarationError) as info:
        decls.parse_files([a, b])
    assert info.value.status == EXIT_INCOMPATIBLE
    assert f"{b}:3:1" in str(info.value) and f"{a}:1:1" in str(info.value)
    assert "([u8]) -> (text, i32) here, ([u8]) -> (text, i64) at" in str(info.value)


def test_reordered_parameter_names_are_a_warning_worth_review(tmp_path):
    a = tmp_path / "crypto.spl"
    a.write_text("extern fn rt_verify(pubkey: [u8], message: [u8], sig: [u8]) -> bool\n"
                 "extern fn rt_verify(message: [u8], pubkey: [u8], sig: [u8]) -> bool\n")
    found, warnings = decls.parse_files([a])
    assert list(found) == ["rt_verify"]
    assert len(warnings) == 1 and warnings[0].review and warnings[0].location == f"{a}:2:1"
    assert "(message, pubkey, sig) here, (pubkey, message, sig) at" in warnings[0].message
    assert decls.exit_status(warnings) == EXIT_REVIEW


def test_forty_thousand_parameters_take_linear_time():
    # issue 17: the duplicate-parameter check was quadratic (30 s here, 100 s on a loaded
    # machine); a set makes it linear (about 1 s). The bound is loose on purpose.
    import time
    params = ", ".join(f"p{i}: i64" for i in range(40_000))
    started = time.perf_counter()
    _, diags = parse(f"extern fn rt_x({params})\n")
    assert time.perf_counter() - started < 15
    assert [d.message for d in diags] == ["'rt_x' has 40000 parameters; the ABI allows at most 16"]


def test_a_no_break_space_in_a_name_is_an_error():
    found, diags = parse("extern fn rt_a\u00a0b() -> i64\nextern fn rt_c(x\u00a0: i64)\n")
    assert found == []
    assert [d.location for d in diags] == ["lib.spl:1:15", "lib.spl:2:17"]
    assert all("U+00A0 (NO-BREAK SPACE)" in d.message and "spaces and tabs" in d.message for d in diags)


def test_a_doubled_bom_is_reported_and_the_declarations_still_count():
    found, diags = parse("\ufeff\ufeffextern fn rt_x() -> i64\n")
    assert [d.name for d in found] == ["rt_x"]
    assert len(diags) == 1 and diags[0].location == "lib.spl:1:1" and "byte-order mark" in diags[0].message


def test_a_nul_byte_is_escaped_in_messages():
    _, diags = parse("extern fn rt_x(a\x00: i64)\n")
    assert len(diags) == 1 and "\x00" not in str(diags[0])
    assert "U+0000" in diags[0].message


def test_arrays_of_tuples_parse_as_results_over_several_lines():
    found, diags = parse("extern fn rt_env_vars() -> [(text, text)]\n"
                         "pub extern fn rt_rows(\n    n: i64,\n) -> [(u8, text?,\n        [u16], f32?)]?\n")
    assert diags == []
    assert [(d.name, d.signature, d.line) for d in found] == [
        ("rt_env_vars", "() -> [(text, text)]", 1), ("rt_rows", "(i64) -> [(u8, text?, [u16], f32?)]?", 2)]
    assert found[1].source() == "pub extern fn rt_rows(n: i64) -> [(u8, text?, [u16], f32?)]?"


def test_an_array_of_tuples_parameter_is_reported_and_the_next_parameter_still_checked():
    _, diags = parse("extern fn rt_x(a: [(text, text)], b: int) -> i64\n")
    assert [(d.location, d.message.split(" (")[0]) for d in diags] == [
        ("lib.spl:1:19", "an array of tuples '[(T1, ..., Tn)]' is allowed only as a result"),
        ("lib.spl:1:38", "unknown type 'int'")]


def test_a_result_that_differs_only_in_optionality_is_a_note_either_way(tmp_path):
    a, b = tmp_path / "env.spl", tmp_path / "system.spl"
    a.write_text("extern fn rt_env_cwd() -> text\nextern fn rt_file_read_lines(path: text) -> [text]?\n"
                 "extern fn rt_env_vars() -> [(text, text)]\n")
    b.write_text("extern fn rt_env_cwd() -> text?\nextern fn rt_file_read_lines(path: text) -> [text]\n"
                 "extern fn rt_env_vars() -> [(text, text?)]?\n")
    found, diags = decls.parse_files([a, b])
    assert {n: d.file for n, d in found.items()} == dict.fromkeys(found, str(a))  # the first one binds
    assert [(d.severity, d.location) for d in diags] == [("note", f"{b}:1:1"), ("note", f"{b}:2:1"),
                                                         ("note", f"{b}:3:1")]
    assert diags[0].message == (f"'rt_env_cwd' declared -> text? here binds to -> text at {a}:1:1 (only optionality "
                                "differs; safe: that result is never nil where this one allows it)")
    assert diags[1].message.endswith("a nil result is an error at run time naming this declaration)")
    assert decls.exit_status(diags) == 0


@pytest.mark.parametrize("first, again", [
    ("extern fn rt_x(a: i64) -> text", "extern fn rt_x(a: i64?) -> text?"),
    ("extern fn rt_x(a: i64) -> i64", "extern fn rt_x(a: i64) -> i32?"),
    ("extern fn rt_x(a: i64) -> (text, i64)", "extern fn rt_x(a: i64) -> [(text, i64)]"),
    ("extern fn rt_x(a: i64) -> text", "extern fn rt_x(a: text) -> text?"),
    ("extern fn rt_x(a: i64)", "extern fn rt_x(a: i64) -> i64?"),
])
def test_anything_else_that_differs_is_still_a_conflict(first, again):
    found, diags = parse(first + "\n" + again + "\n")
    _, merged = decls.merge(found)
    diags += merged
    assert any(d.incompatible for d in diags) or any(d.severity == "error" for d in diags), diags
    assert not any(d.severity == "note" for d in diags)


def test_each_file_is_parsed_once_per_state(tmp_path, monkeypatch):
    """parse_file is the one door to a file's declarations: asked again (also through
    parse_files and sffi.table.library_decls) it does not parse again; edited, it does."""
    from sffi import table
    spl = tmp_path / "once.spl"
    spl.write_text("extern fn rt_once_a() -> i64\n")
    calls = []
    real = decls.parse_text
    monkeypatch.setattr(decls, "parse_text", lambda text, file: calls.append(file) or real(text, file))
    first = decls.parse_file(spl)
    assert decls.parse_files([spl])[0]["rt_once_a"] is first[0][0]
    manifest = type("M", (), {"name": "once", "declarations": (spl,)})()
    assert table.library_decls(manifest)[0].declarations["rt_once_a"] is first[0][0]
    assert len(calls) == 1
    spl.write_text("extern fn rt_once_a() -> i64\nextern fn rt_once_b() -> bool\n")
    os.utime(spl, ns=(1, 1))  # another state even within the file system's time granularity
    assert [d.name for d in decls.parse_file(spl)[0]] == ["rt_once_a", "rt_once_b"]
    assert len(calls) == 2
