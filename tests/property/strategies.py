"""Strategies for the property tests: Zoom-provided text at its most hostile."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

HOSTILE = [
    "\r\nBcc: evil@x.com",
    ">, evil@x.com",
    "<script>alert(1)</script>",
    "=?utf-8?q?evil=40x.com?=",
    '"',
    "\\",
    "\u2028",
    "\u0085",
    "\x00",
    "\ud800",
    "(Direct Message)",
    " to ",
    "Everyone",
    "<i>" * 30,
    "a" * 120,
]
# Any text, with hostile pieces spliced in so the search reaches them quickly.
text = st.lists(st.one_of(st.text(), st.sampled_from(HOSTILE)), max_size=6).map("".join)
emails = st.one_of(
    st.emails(),
    text,
    st.tuples(st.emails(), st.sampled_from(HOSTILE)).map("".join),
    st.sampled_from(["ann@contoso.com", "Bob@Contoso.com", "=?utf-8?q?x?=@contoso.com"]),
)
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
