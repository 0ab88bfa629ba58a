"""The body's inline styles, and the tags that carry them (Outlook desktop renders with Word)."""

from __future__ import annotations

from collections.abc import Sequence

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


def tag(name: str, style: str, inner: str, attrs: str = "") -> str:
    """One element with its inline style; `inner` is markup (escape Zoom text before)."""
    return f'<{name}{attrs} style="{style}">{inner}</{name}>'


def row(cells: Sequence[str], style: str, name: str = "td") -> str:
    """A table row of cells (markup) with one style, aligned to the top."""
    return "<tr valign=top>" + "".join(tag(name, style, c) for c in cells) + "</tr>"
