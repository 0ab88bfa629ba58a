"""Times, durations and sizes as a reviewer reads them, exactly (pure).

Every time is shown in UTC and, when the meeting's time zone is a known IANA zone other than UTC,
in that zone too, named: "2026-11-20 15:00:00 UTC (16:00:00 Europe/Paris)". A zone Zoom gave that
is unknown (or names no real place: "localtime", "Factory", the posix/ and right/ variants) is
not guessed at: times are shown in UTC only and the item says why. Sizes are shown readably with
the exact byte count: "1.2 MB (1,234,567 bytes)" (binary units, as Outlook shows sizes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from archiver.core.converter.names import clean_text
from archiver.core.converter.provenance import utc

# Keys of the tz database that are UTC itself: shown as UTC only.
UTC_NAMES = frozenset(
    {"UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu"}
)
# Keys that exist in a tz database folder but are not a place's time: the server's own zone
# (localtime), a placeholder (Factory), POSIX rules, or leap-second-counting variants.
_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})
_NOT_PLACE_PREFIXES = ("posix/", "right/")
_UNITS = ("KB", "MB", "GB", "TB", "PB")
_UNIT = 1024


@dataclass(frozen=True)
class Times:
    """How the times of one meeting are shown: UTC, and its own zone when there is one.

    A local time whose UTC offset differs from the one at the meeting's start (a daylight saving
    change during or after the meeting) names its offset, so that a wall-clock hour that occurs
    twice is never ambiguous: "01:20:00 UTC (02:20:00 Europe/Paris, UTC+01:00)".
    """

    zone: ZoneInfo | None  # None: UTC only
    name: str  # the zone's name as shown ("" for UTC only)
    given: str  # what Zoom gave, cleaned for display
    day: date  # the meeting's start date in UTC: times on it are shown without a date
    offset: str | None = None  # the zone's UTC offset at the meeting's start ("+01:00")

    @classmethod
    def of(cls, timezone: str, start: datetime) -> Times:
        """The meeting's zone from Zoom's `timezone` (an IANA name); UTC only if none is usable."""
        key = (timezone or "").strip()
        given = clean_text(key, limit=60) or ("(unreadable)" if key else "")
        zone = _zone(key)
        if zone is None:
            return cls(None, "", given, utc(start).date())
        return cls(zone, given, given, utc(start).date(), _offset(start, zone))

    def full(self, value: datetime) -> str:
        """Date and time in UTC, and in the meeting's zone (its date only when it differs)."""
        at = utc(value)
        return self._with_local(f"{at:%Y-%m-%d %H:%M:%S} UTC", at)

    def short(self, value: datetime) -> str:
        """The time in UTC and in the meeting's zone; each date only when it is not `day`."""
        at = utc(value)
        shown = f"{at:%H:%M:%S}" if at.date() == self.day else f"{at:%Y-%m-%d %H:%M:%S}"
        return self._with_local(f"{shown} UTC", at)

    def zone_fact(self, start: datetime, end: datetime) -> str:
        """What the item says about its time zone (and a change of UTC offset during it)."""
        if self.zone is None:
            if not self.given or self.given in UTC_NAMES:
                return "UTC (times are shown in UTC only)"
            return (
                f'Zoom gave "{self.given}", which is not a known time zone; '
                "times are shown in UTC only"
            )
        first, last = _offset(start, self.zone), _offset(end, self.zone)
        shown = f"times are shown in UTC and in {self.name}"
        if first is None or last is None:
            return f"{self.name}; {shown}"
        if first == last:
            return f"{self.name} (UTC{first}); {shown}"
        return (
            f"{self.name} (UTC{first} at the start, UTC{last} at the end); {shown}, "
            f"a local time naming its offset when it is not UTC{first}"
        )

    def _with_local(self, shown: str, at: datetime) -> str:
        if self.zone is None:
            return shown
        try:
            local = at.astimezone(self.zone)
        except (OverflowError, ValueError):  # at the very ends of the calendar
            return shown
        when = f"{local:%H:%M:%S}" if local.date() == at.date() else f"{local:%Y-%m-%d %H:%M:%S}"
        offset = _offset(at, self.zone)
        other = f", UTC{offset}" if offset is not None and offset != self.offset else ""
        return f"{shown} ({when} {self.name}{other})"


def _zone(name: str) -> ZoneInfo | None:
    if not name or name in UTC_NAMES or name in _NOT_PLACES:
        return None
    if name.startswith(_NOT_PLACE_PREFIXES):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _offset(value: datetime, zone: ZoneInfo) -> str | None:
    try:
        delta = utc(value).astimezone(zone).utcoffset()
    except (OverflowError, ValueError):
        return None
    if delta is None:
        return None
    sign = "-" if delta < timedelta(0) else "+"
    minutes, seconds = divmod(abs(int(delta.total_seconds())), 60)
    shown = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{shown}:{seconds:02d}" if seconds else shown  # local mean time had seconds


def duration(seconds: int) -> str:
    """A duration to the second: "1 h 2 min 3 s", "27 min", "45 s", "0 s"."""
    seconds = max(seconds, 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    parts.append(f"{secs} s" if secs or not (hours or minutes) else "")
    return " ".join(p for p in parts if p)


def byte_count(size: int) -> str:
    """The exact size: "1,234,567 bytes" ("1 byte")."""
    return "1 byte" if size == 1 else f"{size:,} bytes"


def size(size: int, *, listed: int | None = None) -> str:
    """A size readable and exact: "1.2 MB (1,234,567 bytes)"; under 1 KB, just the bytes.

    Units are binary, as Outlook shows attachment sizes and as the product's limits are set
    (MAX_ATTACHMENT_MB): 1 KB = 1,024 bytes, 1 MB = 1,048,576 bytes; the exact count follows.
    With `listed` (what Zoom listed, when it differs from what it served) that is said too:
    "1.2 MB (1,234,567 bytes; Zoom listed 1,200,000 bytes)".
    """
    note = f"Zoom listed {byte_count(listed)}" if listed is not None and listed != size else ""
    if size < _UNIT:
        return f"{byte_count(size)} ({note})" if note else byte_count(size)
    value = float(size)
    for unit in _UNITS:
        value /= _UNIT
        if round(value, 1) < _UNIT or unit == _UNITS[-1]:
            break
    exact = f"{byte_count(size)}; {note}" if note else byte_count(size)
    return f"{value:.1f} {unit} ({exact})"
