"""Untrusted text made safe: file names, header values, length limits (pure)."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

MAX_NAME = 120
MAX_TOPIC = 300
TRUNCATED = " [truncated]"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def clean_text(value: str, *, limit: int) -> str:
    """One line of text: control characters (CR/LF included) become spaces; long text truncated."""
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in value)
    text = " ".join(text.split())
    return truncate(text, limit)


def truncate(text: str, limit: int) -> str:
    """Text cut to `limit` characters with a visible marker when it was longer."""
    return text if len(text) <= limit else text[: limit - len(TRUNCATED)] + TRUNCATED


def safe_file_name(value: str) -> str:
    """A file name safe on Windows, macOS and in MIME: no separators or controls, extension kept."""
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", value))
    name = re.sub(r"\.{2,}", "_", name)  # no ".." left to climb directories with
    name = re.sub(r"_+", "_", name).strip(" ._") or "file"
    stem, dot, ext = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,10}", ext):
        stem, ext = name, ""
    if stem.upper() in _RESERVED or not stem:
        stem = f"_{stem}"
    room = MAX_NAME - (len(ext) + 1 if ext else 0)
    return f"{stem[:room]}.{ext}" if ext else stem[:MAX_NAME]


EML_ROOM = len(" (999)")  # kept free in an .eml name for export-eml's uniqueness number
MAX_VIEWER = 60


def eml_file_name(
    start: datetime,
    topic: str,
    *,
    part: int | None = None,
    part_count: int | None = None,
    revision: int = 0,
    viewer: str | None = None,
) -> str:
    """The file name of an exported item: its start (UTC) and topic, and what kind of item it is.

    "2026-11-20 1500 Quarterly review.eml"; an update, a part and a participant's copy say so:
    "... - update 1.eml", "... - part 2 of 3.eml", "... (for bob@contoso.com).eml". The topic is
    shortened so that the whole name, with room for a uniqueness number, fits MAX_NAME.
    """
    at = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
    prefix = f"{at:%Y-%m-%d %H%M} "
    suffix = f" - update {revision}" if revision else ""
    suffix += f" - part {part} of {part_count}" if part else ""
    suffix += f" (for {clean_text(viewer, limit=MAX_TOPIC)[:MAX_VIEWER]})" if viewer else ""
    room = MAX_NAME - len(prefix) - len(suffix) - len(".eml") - EML_ROOM
    text = clean_text(topic, limit=MAX_TOPIC) or "(no topic)"
    # No dot may end the topic: "x." + ".eml" would read as "x..eml", which is not kept.
    shown = text[: max(room, 1)].rstrip(" .") or "_"
    return safe_file_name(f"{prefix}{shown}{suffix}.eml")
