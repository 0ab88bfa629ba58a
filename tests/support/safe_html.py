"""A strict reader of the markup the converter writes: only its own tags, attributes, inline
styles and http(s) links, well nested, with every other character escaped. Used to check that
no Zoom-provided text ever reaches a body as markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from archiver.core.converter import styles

TAGS = frozenset(
    {"html", "body", "h2", "h3", "h4", "h5", "table", "tr", "th", "td", "p", "b", "i", "br"}
    | {"span", "ul", "ol", "li", "a"}
)
VOID = frozenset({"br"})
ATTRIBUTES = frozenset({"style", "href", "cellpadding", "cellspacing", "border", "valign"})
ATTRIBUTES |= {"colspan", "start"}
STYLES = frozenset(
    value for name, value in vars(styles).items() if name.isupper() and isinstance(value, str)
)
# What html.escape writes; anything else that looks like a reference came from input unescaped.
REFERENCES = re.compile(r"&(?!(amp|lt|gt|quot|#x27);)")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name not in ATTRIBUTES:
                self.problems.append(f"attribute {name} on <{tag}>")
            elif name == "style" and value not in STYLES:
                self.problems.append(f"style {value!r}")
            elif name == "href":
                if not (value or "").lower().startswith(("http://", "https://")):
                    self.problems.append(f"href {value!r}")
                self.links.append(value or "")
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            self.problems.append(f"an angle bracket in text: {data[:40]!r}")

    def handle_comment(self, data: str) -> None:
        self.problems.append("a comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("a declaration")

    def handle_pi(self, data: str) -> None:
        self.problems.append("a processing instruction")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("a CDATA section")

    def handle_entityref(self, name: str) -> None:
        if name not in ("amp", "lt", "gt", "quot"):
            self.problems.append(f"entity &{name};")

    def handle_charref(self, name: str) -> None:
        if name != "x27":
            self.problems.append(f"character reference &#{name};")


def problems(markup: str) -> list[str]:
    """What in the markup the converter would never write itself (empty when it is safe)."""
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    found = list(reader.problems)
    if reader.open:
        found.append(f"unclosed {reader.open}")
    if REFERENCES.search(markup):
        found.append("an ampersand that is not one of html.escape's")
    return found


def links(markup: str) -> list[str]:
    """The href of every link, in order (references decoded, as a mail client reads them)."""
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    return reader.links
