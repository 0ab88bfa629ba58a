"""Typed values out of Zoom's JSON (pure): each error names the field and the value it got.

Text is made encodable (half a UTF-16 pair, which a JSON escape can carry, becomes U+FFFD);
numbers must be finite, whole and within 64 bits (what Table Storage holds); times must lie
within the calendar with a year to spare, so adding a duration or a grace period never overflows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from archiver.errors import InvalidInputError

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
LAST_YEAR = 9998  # later times leave no room to add a meeting's duration
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_time(value: Any, where: str) -> datetime:
    """An ISO 8601 timestamp from Zoom ("2026-11-20T15:00:00Z") as aware UTC."""
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"{where}: expected an ISO datetime, got {shown(value)}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError(f"{where}: not an ISO datetime ({value[:40]!r})") from None
    try:
        utc = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or utc.year > LAST_YEAR:
        raise InvalidInputError(f"{where}: out of range ({value[:40]!r})")
    return utc


def shown(value: Any) -> str:
    """A value for an error message: its JSON-ish form, cut short."""
    if isinstance(value, str) and len(value) > 60:
        value = value[:60]  # repr of a megabyte string only to cut it is a megabyte of work
    return "null" if value is None else repr(value)[:60]


def optional_time(value: Any, where: str) -> datetime | None:
    return parse_time(value, where) if value else None


def unicode_text(value: str) -> str:
    """The text with lone surrogates (unencodable) replaced by U+FFFD."""
    return value if value.isascii() else _SURROGATE.sub("\ufffd", value)


def text(doc: Mapping[str, Any], name: str, default: str = "") -> str:
    """A field as text, whatever its type (for values only compared or hashed)."""
    value = doc.get(name)
    return default if value is None else unicode_text(str(value))


def optional_text(doc: Mapping[str, Any], name: str, where: str, default: str = "") -> str:
    """A text field: absent or null is `default`, a number its digits, anything else an error."""
    value = doc.get(name)
    if value is None:
        return default
    if isinstance(value, str):
        return unicode_text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise InvalidInputError(f"{where}.{name}: expected text, got {shown(value)}")


def int_field(
    doc: Mapping[str, Any],
    name: str,
    where: str,
    default: int | None = None,
    *,
    low: int = INT64_MIN,
    high: int = INT64_MAX,
) -> int:
    """A whole number from `low` to `high` (a number or its digits as text)."""
    value = doc.get(name, default)
    label = f"{where}.{name}"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidInputError(f"{label}: expected a number, got {shown(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInputError(f"{label}: expected a number, got {shown(value)}")
    if isinstance(value, float) and not value.is_integer():
        raise InvalidInputError(f"{label}: expected a whole number, got {shown(value)}")
    try:
        number = int(value)
    except ValueError:
        raise InvalidInputError(f"{label}: expected a number, got {shown(value)}") from None
    if not low <= number <= high:
        raise InvalidInputError(
            f"{label}: expected a number from {low} to {high}, got {shown(value)}"
        )
    return number


def object_list(doc: Mapping[str, Any], name: str, where: str) -> list[Mapping[str, Any]]:
    """A list of objects; absent or null is empty, anything else is an input error."""
    value = doc.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise InvalidInputError(f"{where}.{name}: expected a list of objects, got {shown(value)}")
    return value


def after(start: datetime, what: str, **duration: int) -> datetime:
    """`start` plus a duration Zoom gave (`minutes=`, `seconds=`); InvalidInputError naming
    `what` (the field and its value) when it reaches past the end of the calendar."""
    try:
        return start + timedelta(**duration)
    except OverflowError:
        raise InvalidInputError(f"{what} after the start is past the end of the calendar") from None
