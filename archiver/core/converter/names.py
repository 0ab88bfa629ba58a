"""Untrusted text made safe: file names, header values, length limits (pure)."""

from __future__ import annotations

import re
import unicodedata

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
