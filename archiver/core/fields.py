"""Typed values out of Zoom's JSON (pure): each error names the field and the value it got."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from archiver.errors import InvalidInputError


def parse_time(value: Any, where: str) -> datetime:
    """An ISO 8601 timestamp from Zoom ("2026-11-20T15:00:00Z") as aware UTC."""
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"{where}: expected an ISO datetime, got {shown(value)}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError(f"{where}: not an ISO datetime ({value[:40]!r})") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def shown(value: Any) -> str:
    """A value for an error message: its JSON-ish form, cut short."""
    return "null" if value is None else repr(value)[:60]


def optional_time(value: Any, where: str) -> datetime | None:
    return parse_time(value, where) if value else None


def text(doc: Mapping[str, Any], name: str, default: str = "") -> str:
    value = doc.get(name)
    return default if value is None else str(value)


def int_field(doc: Mapping[str, Any], name: str, where: str, default: int | None = None) -> int:
    value = doc.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidInputError(f"{where}.{name}: expected a number, got {shown(value)}")
    try:
        return int(value)
    except ValueError:
        raise InvalidInputError(f"{where}.{name}: expected a number, got {value!r}") from None


def object_list(doc: Mapping[str, Any], name: str, where: str) -> list[Mapping[str, Any]]:
    """A list of objects; absent or null is empty, anything else is an input error."""
    value = doc.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise InvalidInputError(f"{where}.{name}: expected a list of objects, got {shown(value)}")
    return value
