"""What made an item, when, and from which Zoom sources: its provenance line and header (pure).

The product's name and version are constants here, the one place the code states them. They are
not read with importlib.metadata: the function app is deployed as files (requirements.txt is
installed, the app itself is not), so there is no distribution metadata to read in Azure, and the
core does no I/O. tests/unit/converter/test_provenance.py keeps VERSION equal to pyproject.toml's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from archiver.core.converter.names import clean_text
from archiver.core.keys import meeting_key

PRODUCT = "zoom-m365-archiver"
VERSION = "0.1.0"  # = [project] version in pyproject.toml (checked by a unit test)
HEADER = "X-Zoom-Archiver"


def utc(value: datetime) -> datetime:
    """The instant in UTC (a naive datetime is taken to be UTC already)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def source_names(sources: Sequence[str]) -> str:
    """The Zoom sources a record was assembled from, as a reader reads them."""
    names = [clean_text(s, limit=80) for s in sources if s.strip()]
    return ", ".join(dict.fromkeys(names)) if names else "not recorded"


def header_value(
    archived_at: datetime | None, sources: Sequence[str], *, parent_uuid: str | None = None
) -> str:
    """The X-Zoom-Archiver value: product/version; archived-at=<UTC>; sources=<names>, and for
    a breakout room `; breakout-of=<the parent meeting's key>` (Graph allows five headers, all
    taken by the worst case, so the link rides on this one)."""
    when = f"{utc(archived_at):%Y-%m-%dT%H:%M:%SZ}" if archived_at is not None else "not recorded"
    value = f"{PRODUCT}/{VERSION}; archived-at={when}; sources={source_names(sources)}"
    if parent_uuid:
        value += f"; breakout-of={meeting_key(parent_uuid)}"
    return value
