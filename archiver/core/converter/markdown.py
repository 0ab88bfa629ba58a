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

from archiver.core.converter.inline import inline
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
    rendered = [_render(b) for b in blocks]
    html = "\n".join(h for h, _ in rendered)
    text = "\n\n".join(t for _, t in rendered)
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


def _render(block: Block) -> tuple[str, str]:
    """A block as HTML and as text, each line parsed once for both."""
    if isinstance(block, tuple):
        level, line = block
        html, text = inline(line)
        if level <= 2:
            return tag("h4", H4, html), f"{text}\n{'~' * len(text)}"
        return tag("h5", H5, html), text
    if isinstance(block, list):
        pairs = [inline(line) for line in block]
        return tag("p", P, "<br>\n".join(h for h, _ in pairs)), "\n".join(t for _, t in pairs)
    texts: list[str] = []
    return _list(block, 0, texts), "\n".join(texts)


def _list(found: _List, depth: int, texts: list[str]) -> str:
    """A list's HTML; its text lines are added to `texts`."""
    name = "ol" if found.ordered else "ul"
    start = f" start={found.start}" if found.ordered and found.start != 1 else ""
    items = []
    pad = "  " * depth
    for n, item in enumerate(found.items, start=found.start):
        marker = f"{n}. " if found.ordered else "- "
        pairs = [inline(line) for line in item.lines]
        texts.append(f"{pad}{marker}{pairs[0][1]}")
        texts += [f"{pad}{' ' * len(marker)}{t}" for _, t in pairs[1:]]
        inner = "<br>".join(h for h, _ in pairs)
        inner += "".join(_list(child, depth + 1, texts) for child in item.children)
        items.append(tag("li", LI, inner))
    return tag(name, LIST, "\n".join(items), start)
