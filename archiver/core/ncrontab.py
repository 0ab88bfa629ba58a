"""Six-field NCRONTAB schedules (second minute hour day month day-of-week), as Functions uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from archiver.errors import ConfigurationError

_FIELDS = (
    ("second", 0, 59),
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day", 1, 31),
    ("month", 1, 12),
    ("day-of-week", 0, 6),
)
_NAMES = {
    4: {
        m: i + 1
        for i, m in enumerate(
            ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
        )
    },
    5: {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))},
}


@dataclass(frozen=True)
class Schedule:
    """Allowed values per field."""

    expression: str
    fields: tuple[frozenset[int], ...]

    def next_after(self, moment: datetime) -> datetime:
        """The first matching second strictly after `moment` (within four years)."""
        t = moment.replace(microsecond=0) + timedelta(seconds=1)
        sec, minute, hour, day, month, dow = self.fields
        limit = t + timedelta(days=366 * 4)
        while t < limit:
            if t.month not in month:
                t = (t.replace(day=1, hour=0, minute=0, second=0) + timedelta(days=32)).replace(
                    day=1
                )
                continue
            if t.day not in day or (t.isoweekday() % 7) not in dow:
                t = t.replace(hour=0, minute=0, second=0) + timedelta(days=1)
                continue
            if t.hour not in hour:
                t = t.replace(minute=0, second=0) + timedelta(hours=1)
                continue
            if t.minute not in minute:
                t = t.replace(second=0) + timedelta(minutes=1)
                continue
            if t.second not in sec:
                t += timedelta(seconds=1)
                continue
            return t
        raise ConfigurationError(f"schedule {self.expression!r} never fires")


def parse(expression: str) -> Schedule:
    """Parse a schedule; ConfigurationError names the bad field."""
    parts = expression.split()
    if len(parts) != 6:
        raise ConfigurationError(
            f"schedule {expression!r} must have six fields "
            "(second minute hour day month day-of-week)"
        )
    return Schedule(expression, tuple(_field(i, p) for i, p in enumerate(parts)))


def _field(index: int, text: str) -> frozenset[int]:
    name, low, high = _FIELDS[index]
    values: set[int] = set()
    for item in text.lower().split(","):
        body, _, step_text = item.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if body == "*":
                start, end = low, high
            elif "-" in body:
                a, b = body.split("-", 1)
                start, end = _value(index, a), _value(index, b)
            else:
                start = _value(index, body)
                end = high if step_text else start
        except ValueError:
            raise ConfigurationError(f"schedule {name} field {text!r} is not valid") from None
        if step < 1 or not (low <= start <= end <= high):
            raise ConfigurationError(f"schedule {name} field {text!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _value(index: int, text: str) -> int:
    names = _NAMES.get(index, {})
    return names[text] if text in names else int(text)
