"""The run log: one row per meeting x mailbox outcome, the data behind `log` (CSV) and status."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from archiver.adapters.ledger import Tables, decode, encode, row_key, submit

OUTCOMES = ("archived", "already-archived", "failed", "retrying", "unmapped", "skipped")


@dataclass(frozen=True)
class LogEntry:
    """One outcome for one meeting in one mailbox (mailbox "" when none applies)."""

    time: str
    meeting_id: int
    uuid: str
    topic: str
    mailbox: str
    outcome: str
    bytes: int = 0
    error: str = ""


def _now() -> datetime:
    return datetime.now(UTC)


class RunLog:
    """Append and read run-log rows, partitioned by UTC day."""

    def __init__(self, tables: Tables, *, clock: Callable[[], datetime] = _now) -> None:
        self._tables = tables
        self._clock = clock

    def entry(
        self,
        *,
        meeting_id: int,
        uuid: str,
        topic: str,
        mailbox: str,
        outcome: str,
        bytes_: int = 0,
        error: str = "",
    ) -> LogEntry:
        """One outcome stamped now, not yet stored (see append)."""
        return LogEntry(
            self._clock().isoformat(),
            meeting_id,
            uuid,
            topic[:500],
            mailbox,
            outcome,
            bytes_,
            error[:1000],
        )

    def append(self, entries: Iterable[LogEntry]) -> None:
        """Store entries, one transaction per UTC day (a meeting's outcomes cost one call)."""
        by_day: dict[str, list[Any]] = {}
        for entry in entries:
            day = datetime.fromisoformat(entry.time).strftime("%Y%m%d")
            row = row_key(f"{entry.time}|{entry.uuid}|{entry.mailbox}|{entry.outcome}")
            entity = encode({"PartitionKey": day, "RowKey": row, **asdict(entry)})
            by_day.setdefault(day, []).append(("upsert", entity))
        table = self._tables.get("runlog")
        for operations in by_day.values():
            submit(table, operations)

    def entries(self, since: date, until: date) -> Iterator[LogEntry]:
        """Rows from `since` through `until` (UTC days), oldest first."""
        day = since
        table = self._tables.get("runlog")
        while day <= until:
            rows = table.query_entities(
                "PartitionKey eq @pk", parameters={"pk": day.strftime("%Y%m%d")}
            )
            for row in sorted((decode(r) for r in rows), key=lambda r: str(r["RowKey"])):
                yield LogEntry(**{name: row[name] for name in LogEntry.__dataclass_fields__})
            day += timedelta(days=1)
