"""A small, safe Markdown subset to HTML and plain text, for Zoom's AI Companion summaries (pure).

Supported: ATX headings (`#` to `######`), paragraphs, `**bold**` / `__bold__`, `*italic*` /
`_italic_`, bullet (`-`, `*`, `+`) and numbered (`1.`, `1)`) lists nested by indentation,
`` `inline code` ``, backslash escapes, and links `[text](url)` or `<url>` whose URL is http or
https, shown with the URL beside the text. Everything else (raw HTML, entities, images, tables,
block quotes, other link schemes) is shown as the text it is, escaped: nothing in the source
becomes markup of its own. Line breaks inside a paragraph are kept (the source's lines are the
summary's lines). Lists deeper than MAX_DEPTH continue at that depth. One pass per line with
no backtracking pattern, so the cost is linear in the input; lines beyond MAX_LINES and
characters beyond MAX_LINE in a line are cut with a visible marker (the .md file is whole).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archiver.core.converter.inline import inline_html, inline_text
from archiver.core.converter.names import truncate
from archiver.core.converter.styles import H4, H5, LI, LIST, P, tag
from archiver.core.fields import unicode_text

MAX_LINES = 2000
MAX_LINE = 5000
MAX_DEPTH = 6
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Rendered:
    """The same Markdown as HTML and as plain text."""

    html: str
    text: str
    shortened: bool  # lines or characters were cut


@dataclass
class _List:
    ordered: bool
    start: int
    items: list[_Item] = field(default_factory=list)


@dataclass
class _Item:
    lines: list[str]
    children: list[_List] = field(default_factory=list)


@dataclass
class _Open:
    marker: int  # indentation of the item's marker
    content: int  # indentation of the item's text
    list: _List


Block = tuple[int, str] | list[str] | _List  # heading (level, text), paragraph lines, list


def render_markdown(source: str) -> Rendered:
    """The Markdown as safe HTML (inline styles only) and as plain text."""
    blocks, shortened = _blocks(source)
    html = "\n".join(_html_block(b) for b in blocks)
    text = "\n\n".join(_text_block(b) for b in blocks)
    return Rendered(html, text, shortened)


def _lines(source: str) -> tuple[list[str], bool]:
    text = unicode_text(source).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    shortened = len(lines) > MAX_LINES
    out = []
    for line in lines[:MAX_LINES]:
        cut = truncate(line, MAX_LINE)
        shortened = shortened or cut is not line
        out.append(_CONTROL.sub("\ufffd", cut))
    return out, shortened


def _measure(line: str) -> tuple[int, str]:
    """Indentation (a tab to the next multiple of 4) and the line without it or trailing space."""
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width, line.strip(" \t")


def _heading(s: str) -> tuple[int, str] | None:
    level = len(s) - len(s.lstrip("#"))
    if not 1 <= level <= 6 or (len(s) > level and s[level] not in " \t"):
        return None
    text = s[level:].strip(" \t")
    closed = text.rstrip("#")
    if closed != text and (not closed or closed[-1] in " \t"):
        text = closed.rstrip(" \t")  # an optional closing run of #
    return level, text


def _rule(s: str) -> bool:
    """A thematic break ("---", "* * *"): shown as the text it is, not as a list item."""
    marks = s.replace(" ", "").replace("\t", "")
    return len(marks) >= 3 and len(set(marks)) == 1 and marks[0] in "-*_"


def _item(s: str) -> tuple[bool, int, int, str] | None:
    """(ordered, start number, marker width, text) of a list item line."""
    if s[0] in "-*+" and (len(s) == 1 or s[1] in " \t"):
        return False, 1, 2, s[1:].strip(" \t")
    digits = len(s) - len(s.lstrip("0123456789"))
    if 1 <= digits <= 9 and s[digits : digits + 1] in (".", ")"):
        rest = s[digits + 1 :]
        if not rest or rest[0] in " \t":
            return True, int(s[:digits]), digits + 2, rest.strip(" \t")
    return None


def _blocks(source: str) -> tuple[list[Block], bool]:
    lines, shortened = _lines(source)
    blocks: list[Block] = []
    para: list[str] | None = None
    stack: list[_Open] = []
    blank = False
    for line in lines:
        indent, s = _measure(line)
        if not s:
            para, blank = None, True
            continue
        heading = _heading(s) if indent <= 3 and s[0] == "#" else None
        item = None if heading or _rule(s) else _item(s)
        if heading:
            stack, para = [], None
            blocks.append(heading)
        elif item:
            para = None
            _place(stack, blocks, indent, item)
        elif stack and (not blank or indent >= stack[-1].content):
            while len(stack) > 1 and blank and indent < stack[-1].content:
                stack.pop()
            stack[-1].list.items[-1].lines.append(s)
        else:
            stack = []
            if para is None:
                para = []
                blocks.append(para)
            para.append(s)
        blank = False
    return blocks, shortened


def _place(
    stack: list[_Open], blocks: list[Block], indent: int, item: tuple[bool, int, int, str]
) -> None:
    """Puts a list item where its indentation says: a sibling, a child, or a new list."""
    ordered, start, width, text = item
    entry = _Item([text])
    while stack and indent < stack[-1].marker:
        stack.pop()
    if stack and (indent < stack[-1].content or len(stack) >= MAX_DEPTH):
        top = stack[-1]
        if top.list.ordered == ordered or len(stack) >= MAX_DEPTH:
            top.list.items.append(entry)
            top.content = indent + width
            return
        stack.pop()  # another kind of list at the same level
    new = _List(ordered, start, [entry])
    if stack:
        stack[-1].list.items[-1].children.append(new)
    else:
        blocks.append(new)
    stack.append(_Open(indent, indent + width, new))


def _html_block(block: Block) -> str:
    if isinstance(block, tuple):
        level, text = block
        return tag("h4" if level <= 2 else "h5", H4 if level <= 2 else H5, inline_html(text))
    if isinstance(block, list):
        return tag("p", P, "<br>\n".join(inline_html(line) for line in block))
    return _html_list(block)


def _html_list(found: _List) -> str:
    name = "ol" if found.ordered else "ul"
    start = f" start={found.start}" if found.ordered and found.start != 1 else ""
    items = []
    for item in found.items:
        inner = "<br>".join(inline_html(line) for line in item.lines)
        inner += "".join(_html_list(child) for child in item.children)
        items.append(tag("li", LI, inner))
    return tag(name, LIST, "\n".join(items), start)


def _text_block(block: Block) -> str:
    if isinstance(block, tuple):
        text = inline_text(block[1])
        return f"{text}\n{'~' * len(text)}" if block[0] <= 2 else text
    if isinstance(block, list):
        return "\n".join(inline_text(line) for line in block)
    return "\n".join(_text_list(block, 0))


def _text_list(found: _List, depth: int) -> list[str]:
    out = []
    for n, item in enumerate(found.items, start=found.start):
        marker = f"{n}. " if found.ordered else "- "
        pad = "  " * depth
        out.append(f"{pad}{marker}{inline_text(item.lines[0])}")
        out += [f"{pad}{' ' * len(marker)}{inline_text(line)}" for line in item.lines[1:]]
        for child in item.children:
            out += _text_list(child, depth + 1)
    return out
