"""Cached knowledge about mailboxes: address overrides, directory lookups and folder ids (Table)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.core.exceptions import ResourceNotFoundError

from archiver.adapters.ledger import Tables, row_key
from archiver.core.mapping import Mailbox

NOT_FOUND = ""  # cached negative lookup
MEMO_SECONDS = 60


def _now() -> datetime:
    return datetime.now(UTC)


class MailboxDirectory:
    """Overrides from the mappings table, Graph lookups cached with TTLs, folder ids cached."""

    def __init__(
        self,
        tables: Tables,
        find_mailbox: Callable[[str], Mailbox | None],
        *,
        clock: Callable[[], datetime] = _now,
        found_ttl: timedelta = timedelta(days=1),
        missing_ttl: timedelta = timedelta(hours=1),
    ) -> None:
        self._tables = tables
        self._find = find_mailbox
        self._clock = clock
        self._found_ttl = found_ttl
        self._missing_ttl = missing_ttl
        self._lock = threading.Lock()
        # In-process memo in front of the Table cache: profiling showed a Table read per address
        # and mailbox on every import. Short-lived so admin changes show up within a minute.
        self._memo: dict[tuple[str, str], tuple[float, Any]] = {}

    # -- overrides --------------------------------------------------------------------------
    def overrides(self) -> dict[str, str]:
        """External address -> mailbox, as imported by an admin."""
        memo = self._recall("overrides", "")
        if memo is not None:
            return dict(memo)
        rows = self._tables.get("mappings").query_entities("PartitionKey eq 'override'")
        found = {row["address"]: row["mailbox"] for row in rows}
        self._remember("overrides", "", found)
        return found

    def put_override(self, address: str, mailbox: str) -> None:
        """Map an address (e.g. a partner's) to a mailbox of ours."""
        address, mailbox = address.strip().lower(), mailbox.strip().lower()
        with self._lock:
            self._memo.pop(("overrides", ""), None)
        self._tables.get("mappings").upsert_entity(
            {
                "PartitionKey": "override",
                "RowKey": row_key(address),
                "address": address,
                "mailbox": mailbox,
                "updated_at": self._clock().isoformat(),
            }
        )

    def remove_override(self, address: str) -> bool:
        """Forget an address's mapping; False when it had none."""
        address = address.strip().lower()
        with self._lock:
            self._memo.pop(("overrides", ""), None)
        table = self._tables.get("mappings")
        try:
            table.get_entity("override", row_key(address))
        except ResourceNotFoundError:
            return False
        table.delete_entity("override", row_key(address))  # no error if gone meanwhile
        return True

    # -- directory lookups ------------------------------------------------------------------
    def lookup(self, address: str) -> Mailbox | None:
        """The mailbox behind an address via Graph, with positive and negative results cached.

        Cached as "<object id> <address>": the id is what every later call and delivery row
        uses, so a mailbox whose primary address changes is still the same mailbox.
        """
        memo = self._recall("mailbox", address)
        if memo is None:
            memo = self._cache_get("mailbox", address)
        if memo is not None:
            found = _decode_mailbox(str(memo))
            if found is not None or memo == NOT_FOUND:
                self._remember("mailbox", address, memo)
                return found
        looked_up = self._find(address)
        value = f"{looked_up.id} {looked_up.address}" if looked_up else NOT_FOUND
        ttl = self._found_ttl if looked_up else self._missing_ttl
        self._cache_put("mailbox", address, value, ttl)
        self._remember("mailbox", address, value)
        return looked_up

    # -- folder ids -------------------------------------------------------------------------
    def folder_id(self, mailbox: str, folder: str) -> str | None:
        """The cached id of the archive folder in a mailbox."""
        memo = self._recall("folder", f"{mailbox}|{folder}")
        if memo:
            return str(memo)
        found = self._cache_get("folder", f"{mailbox}|{folder}") or None
        if found:
            self._remember("folder", f"{mailbox}|{folder}", found)
        return found

    def put_folder_id(self, mailbox: str, folder: str, folder_id: str) -> None:
        """Remember the archive folder's id (folder ids are stable)."""
        self._cache_put("folder", f"{mailbox}|{folder}", folder_id, timedelta(days=3650))

    def forget_folder_id(self, mailbox: str, folder: str) -> None:
        """Drop a folder id that Graph no longer knows (folder deleted by a user)."""
        with self._lock:
            self._memo.pop(("folder", f"{mailbox}|{folder}".lower()), None)
        with contextlib.suppress(ResourceNotFoundError):
            self._tables.get("cache").delete_entity("folder", row_key(f"{mailbox}|{folder}"))

    # -- internals --------------------------------------------------------------------------
    def _recall(self, kind: str, key: str) -> Any:
        with self._lock:
            entry = self._memo.get((kind, key.lower()))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def _remember(self, kind: str, key: str, value: Any) -> None:
        with self._lock:
            self._memo[(kind, key.lower())] = (time.monotonic() + MEMO_SECONDS, value)

    def _cache_get(self, kind: str, key: str) -> str | None:
        try:
            row = self._tables.get("cache").get_entity(kind, row_key(key.lower()))
        except ResourceNotFoundError:
            return None
        if str(row.get("expires", "")) <= self._clock().isoformat():
            return None
        return str(row.get("value", ""))

    def _cache_put(self, kind: str, key: str, value: str, ttl: timedelta) -> None:
        expires = (self._clock() + ttl).isoformat()
        self._tables.get("cache").upsert_entity(
            {
                "PartitionKey": kind,
                "RowKey": row_key(key.lower()),
                "value": value,
                "expires": expires,
            }
        )


def _decode_mailbox(value: str) -> Mailbox | None:
    """A cached "<id> <address>"; None for a negative entry or one in an older format."""
    object_id, sep, address = value.partition(" ")
    return Mailbox(object_id, address) if sep and object_id and address else None
