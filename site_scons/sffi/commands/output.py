"""Output helpers shared by the subcommands: aligned tables, JSON, diagnostics."""

from __future__ import annotations

import itertools
import sys

from sffi.errors import SffiError

#: Lines written per ``write`` call by :func:`write_columns` (bounds the memory of large tables).
_CHUNK = 4096


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: control characters as ``\\xHH`` escapes.

    What sffi prints from a file (an FFI module's section, a file name) must not
    carry terminal escape sequences (issue 24): C0 controls but tab, DEL and the C1
    controls U+0080-U+009F (which terminals may take for CSI) become ``\\x1b``,
    ``\\x9b``; bytes that were not UTF-8 (decoded with ``surrogateescape``)
    become their byte, ``\\xff``. Everything else is unchanged, so ordinary text
    costs one scan.

    Args:
        text: any text.
    Returns:
        The text with those characters escaped.
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if (code < 0x20 and ch != "\t") or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that surrogateescape kept
            out.append(f"\\x{code - 0xDC00:02x}")
        else:
            out.append(ch)
    return "".join(out)


def print_table(headers: list[str], rows: list[list], file=None) -> None:
    """Print ``rows`` as an aligned plain-text table (tabulate's "simple" format)."""
    from tabulate import tabulate

    # Cells come from files (symbol names, sections): no terminal escapes (issue 24).
    rows = [[printable(c) if isinstance(c, str) else c for c in row] for row in rows]
    print(tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True),
          file=file or sys.stdout)


def write_columns(headers: list[str], columns: list[list[str]], file=None) -> None:
    """Print a table given column by column, exactly as :func:`print_table` would print its rows.

    tabulate's "simple" format (each column as wide as its widest cell and at
    least its header plus 2, cells left-aligned, two spaces between columns,
    lines without trailing spaces, a dashed rule under the header) written
    directly, a chunk of lines at a time, so that 75,000 rows take tens of
    milliseconds. Cells that tabulate would treat specially (non-ASCII or
    non-printable text, leading or trailing spaces that it strips) go through
    tabulate itself.

    Args:
        headers: the column names.
        columns: one list of ``str`` cells per column, all of the same length.
    """
    out = file or sys.stdout
    if not all(map(_plain, columns)):
        print_table(headers, [list(row) for row in zip(*columns)], file=out)
        return
    widths = [max(len(h) + 2, _widest(col)) for h, col in zip(headers, columns)]
    write = text_writer(out)
    write(_header(headers, widths))
    # Columns empty in every row end each line: tabulate strips them, leave them out.
    last = max((i for i, col in enumerate(columns) if any(col)), default=0)
    fmt = "  ".join([*(f"%-{w}s" for w in widths[:last]), "%s"])
    lines = map(fmt.__mod__, zip(*columns[:last + 1]))
    if "" in columns[last]:  # some rows end with padded empty cells
        lines = map(str.rstrip, lines)
    while chunk := list(itertools.islice(lines, _CHUNK)):
        write("\n".join(chunk) + "\n")


def _widest(cells: list[str]) -> int:
    """The length of the longest cell (columns of few distinct values: measured once each)."""
    if not cells:
        return 0
    distinct = set(cells) if len(cells) > 1000 and len(set(cells[:200])) < 20 else cells
    return max(map(len, distinct))


def text_writer(out):
    """A function writing ``str`` to ``out``; to the binary buffer underneath a text stream
    when there is one (its text layer flushed first, so the order stays), which saves a copy
    of each of the tens of megabytes a large table or JSON document holds."""
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        return out.write
    out.flush()
    encoding, errors = out.encoding or "utf-8", out.errors or "strict"
    return lambda text: buffer.write(text.encode(encoding, errors))


def _header(headers: list[str], widths: list[int]) -> str:
    """The header line and the dashed rule under it."""
    names = "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()
    return names + "\n" + "  ".join("-" * w for w in widths) + "\n"


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


def _plain(cells: list[str]) -> bool:
    """True when tabulate prints every cell as it is: printable ASCII, no space at either end."""
    text = "".join(cells)
    # ASCII: printable is 0x20-0x7e; deleting those bytes is ~3x faster than str.isprintable.
    if not text.isascii() or text.encode("ascii").translate(None, _PRINTABLE_ASCII):
        return False
    return " " not in text or not any(c[:1] == " " or c[-1:] == " " for c in cells)


def print_json(doc) -> None:
    """Print ``doc`` as stable JSON: sorted keys, 2-space indent, trailing newline."""
    import json

    sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")


def print_diagnostics(lines) -> None:
    """Print diagnostics (already formatted ``file:line:col: severity: message``) to stderr."""
    for line in lines:
        print(line, file=sys.stderr)


def add_report_options(parser) -> None:
    """``--format {text,markdown,json,html}`` (default text) and ``-o/--output FILE``: read by :func:`write_report`."""
    from sffi.report.render import FORMATS
    parser.add_argument("--format", default="text", choices=FORMATS, help="output format (default: text)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")


def write_report(report, fmt: str, output: str | None) -> None:
    """Render a sffi.report.model.Report as ``fmt`` to the file ``output``, or stdout when None.

    Raises:
        SffiError: the file cannot be written.
    """
    from sffi.report.render import render
    text = render(report, fmt)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise SffiError(f"cannot write the report to {output}: {exc.strerror}") from None
