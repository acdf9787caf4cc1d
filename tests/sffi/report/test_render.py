"""The four renderings of a report: text, Markdown, JSON and HTML."""

import json
from pathlib import Path
from html.parser import HTMLParser

import pytest

from sffi.errors import SffiError
from sffi.report.model import Report, Table
from sffi.report.render import FORMATS, render

import hashseed


def sample() -> Report:
    rows = [["rt_a", "(i64) -> i64", "ok"], ["rt_b|c", "<script>x</script>", "removed"], ["rt_c", "10", "added"]]
    return Report("sffi-diff", "diff & more", {"added": 1, "removed": 1}, [Table("externs", ["name", "sig", "status"],
                  rows, status_column=2), Table("empty", ["x"], [])], ["2 suppressed"], 12, {"changes": [1, 2]})


def test_text_is_aligned_with_summary_first():
    lines = render(sample(), "text").splitlines()
    assert lines[:4] == ["diff & more", "===========", "summary: 1 added, 1 removed", "2 suppressed"]
    header = next(line for line in lines if line.startswith("name"))
    row = next(line for line in lines if line.startswith("rt_b|c"))
    assert header.index("sig") == row.index("<script>")  # columns line up
    assert "(none)" in lines


def test_markdown_escapes_pipes_so_columns_hold():
    text = render(sample(), "markdown")
    row = next(line for line in text.splitlines() if "rt_b" in line)
    assert row.replace("\\|", "").count("|") == 4  # three cells
    assert text.startswith("## diff & more\n\n**Summary:** 1 added, 1 removed\n")


def test_json_carries_format_summary_and_data():
    doc = json.loads(render(sample(), "json"))
    assert doc == {"format": "sffi-diff/1", "title": "diff & more", "summary": {"added": 1, "removed": 1},
                   "status": 12, "notes": ["2 suppressed"], "changes": [1, 2]}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.stack, self.scripts = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag != "meta":  # a void element: no end tag
            self.stack.append(tag)
        if tag == "tr":
            self.rows.append((dict(attrs).get("class"), []))
        if tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag):
        assert self.stack.pop() == tag, f"</{tag}> closes another element"

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "td":
            self.rows[-1][1].append(data)


def test_html_is_well_formed_escaped_and_coloured():
    page = _Page()
    page.feed(render(sample(), "html"))
    assert page.stack == [] and page.scripts == 1  # only our sorting script: the cell's was escaped
    body = [r for r in page.rows if r[1]]
    assert body == [("good", ["rt_a", "(i64) -> i64", "ok"]), ("bad", ["rt_b|c", "<script>x</script>", "removed"]),
                    ("warn", ["rt_c", "10", "added"])]


def test_every_format_is_deterministic_and_unknown_ones_refused():
    """The same report in fresh interpreters with other string-hash seeds (tests/hashseed.py)."""
    for fmt in FORMATS:
        code = f"from test_render import sample, render; print(render(sample(), {fmt!r}), end='')"
        assert not hashseed.differing(code, (Path(__file__).parent,)), fmt
    with pytest.raises(SffiError, match="unknown report format 'pdf'") as info:
        render(sample(), "pdf")
    assert info.value.status == 3


def test_the_hash_seed_oracle_catches_set_order():
    """Planted: output in the iteration order of a set of strings."""
    assert hashseed.differing("print(','.join({'rt_a', 'rt_b', 'rt_c', 'rt_d', 'rt_e', 'rt_f'}))")
