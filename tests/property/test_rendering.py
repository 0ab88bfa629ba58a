"""Any topic, name, address and chat line renders to an item the stdlib parses strictly, with
exactly the expected recipients, a one-line Subject that round-trips, and escaped HTML."""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from archiver.core.addresses import is_addr_spec
from archiver.core.converter import ItemContent, build_message, to_eml, to_graph_json
from archiver.core.converter.member_log import Room, Stay
from archiver.core.converter.transcripts import ChatLine, SharedFile
from archiver.core.model import Meeting
from tests.corpus.support import rendered
from tests.property.strategies import emails, text

# The markup the converter itself writes (its inline styles hold no angle bracket); anything
# else in angle brackets came from input.
OWN_TAGS = re.compile(
    r'</?(html|body|h2|h3|table|tr|th|td|p|i|b|br|span|ul|li)( [a-z]+=([a-z0-9]+|"[^"<>]*"))*>'
)
HEADERS = {
    "subject", "from", "to", "date", "message-id", "mime-version", "content-type",
    "x-zoom-meeting-id", "x-zoom-meeting-uuid", "x-zoom-archiver",
}  # fmt: skip


def meeting(topic: str, people: list[tuple[str, str]]) -> Meeting:
    return Meeting.from_zoom(
        {"uuid": "m1==", "id": 1, "start_time": "2026-11-20T15:00:00Z", "topic": topic},
        {"user_name": topic[:40]},
        [{"name": name, "user_email": email} for name, email in people],
        host_email="ann@contoso.com",
    )


@given(
    topic=text,
    people=st.lists(st.tuples(text, emails), max_size=4),
    chat=st.lists(st.tuples(text, text, text), max_size=3),
)
@example(topic="", people=[("a" * 198 + "<i>", "bob@contoso.com")], chat=[])
@example(topic="", people=[("Bob", "=?utf-8?q?evil=40x.com?=@contoso.com")], chat=[])
@example(topic="", people=[], chat=[("", "", "\ud800")])
def test_any_zoom_text_renders_to_a_strict_message_with_only_its_recipients(
    topic: str, people: list[tuple[str, str]], chat: list[tuple[str, str, str]]
) -> None:
    found = meeting(topic, people)
    lines = tuple(ChatLine("00:00:01", s, r, t) for s, r, t in chat)
    parsed = rendered(found, ItemContent(chat=lines))  # one Subject, From, To; no Cc or Bcc
    message = build_message(found, [], ItemContent(chat=lines))
    valid = [e.strip().lower() for _, e in people if is_addr_spec(e.strip().lower())]
    assert [a.addr_spec for a in parsed["To"].addresses] == (
        list(dict.fromkeys(valid)) or ["ann@contoso.com"]
    )
    assert {name.lower() for name in parsed} <= HEADERS
    assert str(parsed["Subject"]) == message.subject
    assert not {"\r", "\n"} & set(message.subject)
    assert "<" not in OWN_TAGS.sub("", message.html)
    graph = to_graph_json(message, inline={})
    assert graph["subject"] == message.subject
    assert to_eml(message, lambda ref: b"") == to_eml(message, lambda ref: b"")


KINDS = ["public", "direct", "deleted", "reaction", "feedback", "edited", "reply", "unknown"]
codes = st.sampled_from(["", "01", "02", "03", "04", "05", "06", "07", "99", "??"])
json_lines = st.builds(
    ChatLine,
    time=text,
    sender=text,
    recipient=text,
    text=text,
    kind=st.sampled_from(KINDS),
    sender_email=emails,
    recipient_email=st.just("") | emails,
    sent_from=codes,
    sent_to=codes,
    action=codes,
    receiver=codes,
    group=st.just("") | text,
    message_id=st.sampled_from(["", "a", "b"]),
    parent_id=st.sampled_from(["", "a", "b", "c"]),
    original=st.none() | text,
    files=st.lists(
        st.builds(SharedFile, text, text, st.none() | st.integers(0, 2**63)), max_size=2
    ).map(tuple),
)


@given(lines=st.lists(json_lines, max_size=5), rooms=st.lists(st.tuples(text, emails), max_size=2))
def test_any_json_chat_and_member_log_render_to_a_strict_message_with_escaped_html(
    lines: list[ChatLine], rooms: list[tuple[str, str]]
) -> None:
    found = meeting("t", [])
    content = ItemContent(
        chat=tuple(lines),
        rooms=tuple(Room("private group", rid, stays=(Stay(email),)) for rid, email in rooms),
        chat_problems=tuple(line.text for line in lines),
    )
    rendered(found, content)
    message = build_message(found, [], content)
    assert "<" not in OWN_TAGS.sub("", message.html)
