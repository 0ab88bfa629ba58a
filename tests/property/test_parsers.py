"""The chat and transcript parsers never raise, for any bytes at all."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from archiver.core.converter.transcripts import parse_chat, parse_vtt

# Pieces of Zoom's formats, so that random input also reaches the deeper branches.
CHAT_PIECES = ["00:00:01", "\t", ":", " From ", " to ", "Everyone", "(Direct Message)",
               " (Privately)", "\n", "\r\n", " ", "Ann", "\x00", "\ufeff"]  # fmt: skip
VTT_PIECES = ["WEBVTT", "\n\n", "\n", "00:00:01.000", " --> ", "00:01.500", "<v ", "<v.a ",
              ">", "</v>", ": ", "NOTE", "Ann", "\r\n", "\x00"]  # fmt: skip


def built(pieces: list[str]) -> st.SearchStrategy[bytes]:
    parts = st.one_of(st.sampled_from(pieces), st.text(max_size=5))
    return st.lists(parts, max_size=30).map(lambda p: "".join(p).encode("utf-8", "surrogatepass"))


@given(st.one_of(st.binary(), built(CHAT_PIECES)))
def test_parse_chat_never_raises_and_counts_every_line(data: bytes) -> None:
    lines, unparsed = parse_chat(data)
    assert unparsed >= 0
    assert all(line.time and isinstance(line.text, str) for line in lines)


@given(st.one_of(st.binary(), built(VTT_PIECES)))
def test_parse_vtt_never_raises(data: bytes) -> None:
    turns, unparsed = parse_vtt(data)
    assert unparsed >= 0
    assert all(isinstance(turn.speaker, str) for turn in turns)
