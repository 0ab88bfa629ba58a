"""The body's inline styles, and the tags that carry them (Outlook desktop renders with Word);
used by body.py and by the sections rendered beside it (polls, Q&A, surveys, summaries)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from archiver.core.converter.values import Times

# Inline styles (the only styling Outlook desktop applies reliably), kept short: a meeting with
# hundreds of people has thousands of cells, and the body counts against the item's size. The
# font is the `font` shorthand (one of the properties Word's engine supports on every element;
# it resets weight and style, so bold and italic are part of it). Padding and alignment are
# table and row attributes (cellpadding, valign), which Word honours too.
STACK = "Segoe UI,Arial,sans-serif"
FONT = f"font:10pt {STACK}"
H2 = f"font:bold 15pt {STACK};margin:0 0 10px 0"
H3 = f"font:bold 12pt {STACK};color:#1f3a5f;margin:18px 0 6px 0;border-bottom:1px solid #c9d3de"
P = f"{FONT};margin:0 0 6px 0"
NOTE = f"font:italic 10pt {STACK};color:#57606a;margin:0 0 6px 0"
TABLE = "border-collapse:collapse;border:1px solid #c9d3de"
TH = f"font:bold 10pt {STACK};text-align:left;background-color:#e7edf3;border:1px solid #c9d3de"
TD = FONT
FACT = f"{FONT};border:1px solid #c9d3de"
PERSON = f"{FONT};background-color:#f5f7fa;border-top:1px solid #c9d3de"
WAITING = f"font:italic 10pt {STACK};color:#57606a"
MUTED = "color:#57606a"
MONO = "font:9pt Consolas,Courier New,monospace;color:#57606a"
LIST = "margin:0 0 6px 0;padding:0 0 0 20px"
TABLE_ATTRS = f' cellpadding=4 cellspacing=0 border=0 style="{TABLE}"'


# Styles body.py has no need of: a sub-heading inside a section, inline code, a link.
H4 = f"font:bold 11pt {STACK};color:#1f3a5f;margin:12px 0 4px 0"
H5 = f"font:bold 10pt {STACK};color:#1f3a5f;margin:10px 0 4px 0"
CODE = "font:9pt Consolas,Courier New,monospace;background-color:#f5f7fa"
LINK = "color:#0563c1;text-decoration:underline"
LI = f"{FONT};margin:0 0 2px 0"

MAX_ROWS = 2000  # rows of a table rendered, as body.py's MAX_LINES; the whole file is attached
MAX_CELL = 2000  # characters of one answer or question shown (body.py's MAX_LINE)
MAX_NAME = 200


def tag(name: str, style: str, inner: str, attrs: str = "") -> str:
    """One element with its inline style; `inner` is markup (escape Zoom text before)."""
    return f'<{name}{attrs} style="{style}">{inner}</{name}>'


def row(cells: Sequence[str], style: str, name: str = "td") -> str:
    """A table row of cells (markup) with one style, aligned to the top."""
    return "<tr valign=top>" + "".join(tag(name, style, c) for c in cells) + "</tr>"


def para(text: str, style: str = P) -> str:
    """A paragraph of plain text (escaped here)."""
    return tag("p", style, escape(text))


def table(head: Sequence[str], rows: Sequence[str]) -> str:
    """A table with a header row of plain text and rows of markup."""
    return "\n".join(
        [f"<table{TABLE_ATTRS}>", row([escape(h) for h in head], TH, "th"), *rows, "</table>"]
    )


def times_note(times: Times) -> str:
    """How the times of a section read (as the body's participants section says it)."""
    zone = f"UTC, with {times.name} in brackets" if times.name else "UTC"
    return f"Times on {times.day:%Y-%m-%d} unless a date is shown; {zone}."


def when(times: Times, at: datetime | None, missing: str = "not given") -> str:
    """A time as the body shows one in a table or a list, or `missing` when Zoom gave none."""
    return times.short(at) if at is not None else missing


def count(n: int, what: str, plural: str = "") -> str:
    """ "1 answer", "2 answers"."""
    return f"{n} {what}" if n == 1 else f"{n} {plural or what + 's'}"
