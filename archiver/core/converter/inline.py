"""Inline Markdown of one line: emphasis, code spans, http(s) links, escapes (pure, linear).

Text between the constructs is kept as it is and escaped when written as HTML; a delimiter
that closes nothing stays text, so the markup written is always well nested. A link is
written with its URL shown beside its text (unless the text is the URL), so what a reader
clicks is what they read.
"""

from __future__ import annotations

import re
import string
from html import escape

from archiver.core.converter.styles import CODE, LINK, tag
from archiver.core.interactions.summary import is_web_link

_PUNCT = frozenset(string.punctuation)
_BACKTICKS = re.compile("`+")


class _Tok:
    """An inline piece: text, code, a link, or an emphasis delimiter (open, close, unmatched)."""

    __slots__ = ("kind", "matched", "parts", "value")

    def __init__(self, kind: str, value: str, parts: list[_Tok] | None = None) -> None:
        self.kind = kind  # text | code | link | open | close
        self.value = value  # the text, the code, the URL, or "b"/"i" with its delimiter
        self.parts = parts or []
        self.matched = False


class _Next:
    """The first index at or after i holding `ch` (len(s) when none), for i that never
    decrease: each call scans only past the previous answer, so all calls cost O(len(s))."""

    def __init__(self, s: str, ch: str) -> None:
        self.s, self.ch = s, ch
        self.asked, self.found = 0, -1

    def at(self, i: int) -> int:
        if not (self.asked <= i <= self.found):
            found = self.s.find(self.ch, i)
            self.asked, self.found = i, len(self.s) if found < 0 else found
        return self.found


def _run(s: str, i: int) -> int:
    """The end of the run of s[i] starting at i."""
    j = i
    while j < len(s) and s[j] == s[i]:
        j += 1
    return j


class _Inline:
    """The inline pieces of one line, left to right. Each character is looked at a bounded
    number of times: code span ends come from a table made in one pass, link ends from finders
    that never scan a character twice, and each emphasis delimiter is pushed and popped once."""

    def __init__(self, s: str, *, links: bool) -> None:
        self.s, self.links = s, links
        self.out: list[_Tok] = []
        self.buf: list[str] = []
        self.stack: list[_Tok] = []  # open emphasis delimiters, innermost last
        self.places: dict[str, list[int]] = {}  # delimiter key ("*b") -> its stack places
        self.runs: dict[int, list[int]] = {}  # backtick run length -> starts, ascending
        self.seen: dict[int, int] = {}  # backtick run length -> runs already passed
        for run in _BACKTICKS.finditer(s):
            self.runs.setdefault(run.end() - run.start(), []).append(run.start())
        self.bracket, self.paren, self.angle = _Next(s, "]"), _Next(s, ")"), _Next(s, ">")

    def parse(self) -> list[_Tok]:
        s, i = self.s, 0
        while i < len(s):
            ch = s[i]
            if ch == "\\" and i + 1 < len(s) and s[i + 1] in _PUNCT:
                self.buf.append(s[i + 1])
                i += 2
            elif ch == "`":
                i = self._code(i)
            elif ch == "[" and self.links and (link := self._link(i)):
                i = link
            elif ch == "<" and self.links and (auto := self._autolink(i)):
                i = auto
            elif ch in "*_":
                i = self._emphasis(i)
            else:
                self.buf.append(ch)
                i += 1
        self._flush()
        return self.out

    def _flush(self) -> None:
        if self.buf:
            self.out.append(_Tok("text", "".join(self.buf)))
            self.buf.clear()

    def _code(self, i: int) -> int:
        j = _run(self.s, i)
        size = j - i
        # A run can start inside a precomputed one (after an escaped backtick): it has no end.
        starts, k = self.runs.get(size, []), self.seen.get(size, 0)
        while k < len(starts) and starts[k] <= i:
            k += 1
        if k == len(starts):
            self.seen[size] = k
            self.buf.append(self.s[i:j])
            return j
        self.seen[size] = k + 1
        self._flush()
        self.out.append(_Tok("code", self.s[j : starts[k]]))
        return starts[k] + size

    def _link(self, i: int) -> int | None:
        """[text](url) with an http or https URL: the index after it, else None."""
        s, end = self.s, self.bracket.at(i + 1)
        if end + 1 >= len(s) or s[end + 1] != "(":
            return None
        close = self.paren.at(end + 2)
        url = s[end + 2 : close].strip(" ")
        if close == len(s) or not is_web_link(url):
            return None
        self._flush()
        self.out.append(_Tok("link", url, _Inline(s[i + 1 : end], links=False).parse()))
        return close + 1

    def _autolink(self, i: int) -> int | None:
        """<url> with an http or https URL: the index after it, else None."""
        close = self.angle.at(i + 1)
        url = self.s[i + 1 : close]
        if close == len(self.s) or not is_web_link(url):
            return None
        self._flush()
        self.out.append(_Tok("link", url, [_Tok("text", url)]))
        return close + 1

    def _emphasis(self, i: int) -> int:
        s, ch = self.s, self.s[i]
        j = _run(s, i)
        before = s[i - 1] if i else " "
        after = s[j] if j < len(s) else " "
        can_open = not after.isspace() and (ch == "*" or not before.isalnum())
        can_close = not before.isspace() and (ch == "*" or not after.isalnum())
        size = j - i
        if size > 3:
            self.buf.append(s[i:j])
            return j
        if size == 3:  # close the inner one first; open bold outside italic
            b, it = self.places.get(ch + "b") or [], self.places.get(ch + "i") or []
            inner_b = bool(b) and (not it or b[-1] > it[-1])
            pieces = ["b", "i"] if inner_b else ["i", "b"]
        else:
            pieces = ["b" if size == 2 else "i"]
        for kind in pieces:
            key = ch + kind
            if can_close and self.places.get(key):
                self._close(key)
            elif can_open:
                self._flush()
                self.places.setdefault(key, []).append(len(self.stack))
                token = _Tok("open", key)
                self.stack.append(token)
                self.out.append(token)
            else:
                self.buf.append(ch * (2 if kind == "b" else 1))
        return j

    def _close(self, key: str) -> None:
        place = self.places[key][-1]
        while len(self.stack) - 1 > place:  # openers inside it stay as text
            self.places[self.stack.pop().value].pop()
        self.stack.pop().matched = True
        self.places[key].pop()
        self._flush()
        self.out.append(_Tok("close", key))


def _inline_html(tokens: list[_Tok]) -> str:
    out = []
    for t in tokens:
        if t.kind == "text":
            out.append(escape(t.value))
        elif t.kind == "code":
            out.append(tag("span", CODE, escape(t.value)))
        elif t.kind == "link":
            inner = _inline_html(t.parts)
            shown = "" if _inline_text(t.parts) == t.value else f" ({escape(t.value)})"
            out.append(f'<a href="{escape(t.value)}" style="{LINK}">{inner}</a>{shown}')
        elif t.kind == "open":
            out.append(f"<{t.value[1]}>" if t.matched else escape(_delimiter(t.value)))
        else:
            out.append(f"</{t.value[1]}>")
    return "".join(out)


def _inline_text(tokens: list[_Tok]) -> str:
    out = []
    for t in tokens:
        if t.kind == "text":
            out.append(t.value)
        elif t.kind == "code":
            out.append(f"`{t.value}`")
        elif t.kind == "link":
            inner = _inline_text(t.parts)
            out.append(inner if inner == t.value else f"{inner} ({t.value})")
        elif t.kind == "open" and not t.matched:
            out.append(_delimiter(t.value))
    return "".join(out)


def _delimiter(key: str) -> str:
    return key[0] * (2 if key[1] == "b" else 1)


def inline(text: str) -> tuple[str, str]:
    """One line of Markdown as HTML and as plain text, parsed once."""
    tokens = _Inline(text, links=True).parse()
    return _inline_html(tokens), _inline_text(tokens)


def inline_html(text: str) -> str:
    """One line of Markdown as HTML (every character of the text escaped)."""
    return _inline_html(_Inline(text, links=True).parse())


def inline_text(text: str) -> str:
    """One line of Markdown as plain text: markers dropped, a link as "text (url)"."""
    return _inline_text(_Inline(text, links=True).parse())
