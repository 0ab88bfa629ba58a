"""Cached knowledge about mailboxes: address overrides, directory lookups and folder ids (Table)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from azure.core.exceptions import ResourceNotFoundError

from archiver.ledger import Tables, row_key

NOT_FOUND = ""  # cached negative lookup


def _now() -> datetime:
    return datetime.now(UTC)


class MailboxDirectory:
    """Overrides from the mappings table, Graph lookups cached with TTLs, folder ids cached."""

    def __init__(
        self,
        tables: Tables,
        find_mailbox: Callable[[str], str | None],
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

    # -- overrides --------------------------------------------------------------------------
    def overrides(self) -> dict[str, str]:
        """External address -> mailbox, as imported by an admin."""
        rows = self._tables.get("mappings").query_entities("PartitionKey eq 'override'")
        return {row["address"]: row["mailbox"] for row in rows}

    def put_override(self, address: str, mailbox: str) -> None:
        """Map an address (e.g. a partner's) to a mailbox of ours."""
        address, mailbox = address.strip().lower(), mailbox.strip().lower()
        self._tables.get("mappings").upsert_entity(
            {
                "PartitionKey": "override",
                "RowKey": row_key(address),
                "address": address,
                "mailbox": mailbox,
                "updated_at": self._clock().isoformat(),
            }
        )

    # -- directory lookups ------------------------------------------------------------------
    def lookup(self, address: str) -> str | None:
        """The mailbox for an address via Graph, with positive and negative results cached."""
        cached = self._cache_get("mailbox", address)
        if cached is not None:
            return cached or None
        found = self._find(address)
        ttl = self._found_ttl if found else self._missing_ttl
        self._cache_put("mailbox", address, (found or NOT_FOUND).lower(), ttl)
        return found.lower() if found else None

    # -- folder ids -------------------------------------------------------------------------
    def folder_id(self, mailbox: str, folder: str) -> str | None:
        """The cached id of the archive folder in a mailbox."""
        return self._cache_get("folder", f"{mailbox}|{folder}") or None

    def put_folder_id(self, mailbox: str, folder: str, folder_id: str) -> None:
        """Remember the archive folder's id (folder ids are stable)."""
        self._cache_put("folder", f"{mailbox}|{folder}", folder_id, timedelta(days=3650))

    def forget_folder_id(self, mailbox: str, folder: str) -> None:
        """Drop a folder id that Graph no longer knows (folder deleted by a user)."""
        with contextlib.suppress(ResourceNotFoundError):
            self._tables.get("cache").delete_entity("folder", row_key(f"{mailbox}|{folder}"))

    # -- internals --------------------------------------------------------------------------
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
