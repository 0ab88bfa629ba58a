"""The ledger in Azure Table Storage: meetings, deliveries (meeting x mailbox) and checkpoints.

Claims use create_entity (ResourceExistsError means someone else got there first); state changes
that race use the entity's etag with IfNotModified. Row keys are escaped because Table keys may not
contain / \\ # ? or control characters.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.data.tables import (
    EdmType,
    EntityProperty,
    TableClient,
    TableServiceClient,
    TableTransactionError,
    UpdateMode,
)

from archiver.core.states import COMPLETE, CREATING
from archiver.errors import NotFoundError

Entity = dict[str, Any]
# Marks a claimed delivery row that the claim itself created (never stored: "_" fields aren't).
CREATED = "_created"
TRANSACTION_LIMIT = 100  # operations per Table entity-group transaction


def row_key(value: str) -> str:
    """Escape a value for use as a PartitionKey or RowKey."""
    return quote(value, safe="@.+-_~!$&'()*,;=:")


def _now() -> datetime:
    return datetime.now(UTC)


class Tables:
    """Named tables under one prefix, created on first use."""

    def __init__(self, service: TableServiceClient, prefix: str) -> None:
        self._service = service
        self._prefix = prefix
        self._ready: dict[str, TableClient] = {}

    def get(self, name: str) -> TableClient:
        """The table `<prefix><name>`, created if missing."""
        if name not in self._ready:
            client = self._service.get_table_client(f"{self._prefix}{name}")
            with contextlib.suppress(ResourceExistsError):
                client.create_table()
            self._ready[name] = client
        return self._ready[name]


class Ledger:
    """Meetings, deliveries, checkpoints and discovery runs."""

    def __init__(self, tables: Tables, *, clock: Callable[[], datetime] = _now) -> None:
        self._tables = tables
        self._clock = clock

    # -- meetings ---------------------------------------------------------------------------
    def claim_meeting(self, key: str, fields: Mapping[str, Any]) -> bool:
        """Create the meeting's row; False if it already existed (someone claimed it first)."""
        now = self._clock().isoformat()
        entity = {
            "PartitionKey": key[:2],
            "RowKey": key,
            **fields,
            "created_at": now,
            "updated_at": now,
        }
        try:
            self._tables.get("meetings").create_entity(encode(entity))
        except ResourceExistsError:
            return False
        return True

    def get_meeting(self, key: str) -> Entity:
        """The meeting's row (with its etag under "_etag"); NotFoundError if never claimed."""
        try:
            entity = self._tables.get("meetings").get_entity(key[:2], key)
        except ResourceNotFoundError:
            raise NotFoundError(f"meeting {key} is not in the ledger", meeting=key) from None
        return decode(entity)

    def find_meeting(self, key: str) -> Entity | None:
        """The meeting's row, or None if it was never claimed."""
        try:
            return self.get_meeting(key)
        except NotFoundError:
            return None

    def meeting_exists(self, key: str) -> bool:
        """True when the meeting has a ledger row."""
        try:
            self.get_meeting(key)
        except NotFoundError:
            return False
        return True

    def update_meeting(
        self, key: str, fields: Mapping[str, Any], *, etag: str | None = None
    ) -> bool:
        """Merge fields into the row; with an etag, False if the row changed meanwhile."""
        entity = {
            "PartitionKey": key[:2],
            "RowKey": key,
            **fields,
            "updated_at": self._clock().isoformat(),
        }
        return self._merge("meetings", entity, etag)

    def list_meetings(self, *, states: tuple[str, ...] = ()) -> Iterator[Entity]:
        """Every meeting row, or those in the given states."""
        table = self._tables.get("meetings")
        if not states:
            rows = table.list_entities()
        else:
            query = " or ".join(f"state eq '{state}'" for state in states)
            rows = table.query_entities(query)
        return (decode(row) for row in rows)

    def list_flagged(self, name: str) -> Iterator[Entity]:
        """Meeting rows whose boolean field `name` is true."""
        if not name.isidentifier():
            raise ValueError(f"not a field name: {name!r}")
        rows = self._tables.get("meetings").query_entities(f"{name} eq true")
        return (decode(row) for row in rows)

    # -- deliveries -------------------------------------------------------------------------
    def get_delivery(self, key: str, mailbox: str) -> Entity | None:
        """The (meeting, mailbox) row, or None before the first attempt."""
        try:
            return decode(self._tables.get("deliveries").get_entity(key, row_key(mailbox)))
        except ResourceNotFoundError:
            return None

    def claim_deliveries(
        self, key: str, mailboxes: Sequence[str], *, lease: timedelta, fields: Mapping[str, Any]
    ) -> dict[str, Entity | None]:
        """Lease several of one meeting's deliveries: mailbox -> row, or None where not ours.

        A first import creates every row in one transaction; if any row exists already (a
        retry), the transaction changes nothing and each mailbox is claimed on its own.
        """
        now = self._clock()
        rows = {
            mailbox: {
                **self._delivery_row(key, mailbox, now, lease, fields),
                "attempts": 1,
            }
            for mailbox in mailboxes
        }
        if 0 < len(rows) <= TRANSACTION_LIMIT:
            table = self._tables.get("deliveries")
            try:
                answers = table.submit_transaction([("create", encode(r)) for r in rows.values()])
            except TableTransactionError:
                pass
            else:
                return {
                    mailbox: {**row, "_etag": answer.get("etag"), CREATED: True}
                    for (mailbox, row), answer in zip(rows.items(), answers, strict=True)
                }
        return {
            mailbox: self.claim_delivery(key, mailbox, lease=lease, fields=fields)
            for mailbox in mailboxes
        }

    def _delivery_row(
        self, key: str, mailbox: str, now: datetime, lease: timedelta, fields: Mapping[str, Any]
    ) -> Entity:
        leased = {**fields, "state": CREATING, "lease_until": (now + lease).isoformat()}
        return delivery_entity(key, mailbox, leased, now.isoformat())

    def claim_delivery(
        self, key: str, mailbox: str, *, lease: timedelta, fields: Mapping[str, Any]
    ) -> Entity | None:
        """Lease a delivery for a while; None when another worker holds it or it is complete.

        A row this call created carries CREATED: only then is it certain that no item exists.

        The first attempt creates the row (one call); only when it exists already is it read,
        and then taken over with its etag if its lease has run out.
        """
        now = self._clock()
        base = self._delivery_row(key, mailbox, now, lease, fields)
        table = self._tables.get("deliveries")
        try:
            answer = table.create_entity(encode({**base, "attempts": 1}))
            return {**base, "attempts": 1, "_etag": answer.get("etag"), CREATED: True}
        except ResourceExistsError:
            pass
        current = self.get_delivery(key, mailbox)
        if current is None or current.get("state") == COMPLETE:
            return None
        leased = str(current.get("lease_until", "")) > now.isoformat()
        if current.get("state") == CREATING and leased:
            return None
        attempts = int(current.get("attempts", 0)) + 1
        if not self._merge("deliveries", {**base, "attempts": attempts}, current["_etag"]):
            return None
        return self.get_delivery(key, mailbox)

    def renew_delivery(self, key: str, mailbox: str, *, until: datetime, etag: str) -> str | None:
        """Extend a lease this worker holds; the row's new etag, or None when it changed
        (another worker took the delivery over after the lease ran out)."""
        entity = {"PartitionKey": key, "RowKey": row_key(mailbox), "lease_until": until.isoformat()}
        try:
            answer = self._tables.get("deliveries").update_entity(
                entity,
                mode=UpdateMode.MERGE,
                etag=etag,
                match_condition=MatchConditions.IfNotModified,
            )
        except (ResourceModifiedError, ResourceNotFoundError):
            return None
        except HttpResponseError as error:
            if error.status_code == 412:
                return None
            raise
        return str(answer.get("etag") or "") or None

    def update_delivery(self, key: str, mailbox: str, fields: Mapping[str, Any]) -> None:
        """Merge fields into the (meeting, mailbox) row, creating it if needed."""
        entity = delivery_entity(key, mailbox, fields, self._clock().isoformat())
        self._tables.get("deliveries").upsert_entity(encode(entity), mode=UpdateMode.MERGE)

    def update_deliveries(self, key: str, updates: Mapping[str, Mapping[str, Any]]) -> None:
        """Merge fields into several of one meeting's delivery rows in one transaction each 100."""
        now = self._clock().isoformat()
        merge = {"mode": UpdateMode.MERGE}
        operations: list[Any] = [
            ("upsert", encode(delivery_entity(key, mailbox, fields, now)), merge)
            for mailbox, fields in updates.items()
        ]
        submit(self._tables.get("deliveries"), operations)

    def list_deliveries(self, key: str | None = None) -> Iterator[Entity]:
        """Deliveries of one meeting, or all of them."""
        table = self._tables.get("deliveries")
        rows = (
            table.query_entities("PartitionKey eq @pk", parameters={"pk": key})
            if key
            else table.list_entities()
        )
        return (decode(row) for row in rows)

    # -- checkpoints and runs ---------------------------------------------------------------
    def get_checkpoint(self, user_id: str) -> date | None:
        """The date up to which this user's recordings have been enqueued, if any."""
        try:
            entity = self._tables.get("checkpoints").get_entity("user", row_key(user_id))
        except ResourceNotFoundError:
            return None
        return date.fromisoformat(entity["through"])

    def set_checkpoint(self, user_id: str, through: date) -> None:
        """Record that every recording of this user through `through` is enqueued."""
        self._tables.get("checkpoints").upsert_entity(
            {
                "PartitionKey": "user",
                "RowKey": row_key(user_id),
                "through": through.isoformat(),
                "updated_at": self._clock().isoformat(),
            }
        )

    def get_mark(self, name: str) -> datetime | None:
        """The instant up to which an account-level listing (`name`) has been enqueued."""
        try:
            entity = self._tables.get("checkpoints").get_entity("account", row_key(name))
        except ResourceNotFoundError:
            return None
        return datetime.fromisoformat(entity["through"])

    def set_mark(self, name: str, through: datetime) -> None:
        """Record that everything an account-level listing gave through `through` is enqueued."""
        self._tables.get("checkpoints").upsert_entity(
            {
                "PartitionKey": "account",
                "RowKey": row_key(name),
                "name": name,
                "through": through.isoformat(),
                "updated_at": self._clock().isoformat(),
            }
        )

    def start_run(self, started: datetime, name: str = "discovery") -> None:
        """Record that a run (discovery, reconcile) started, replacing what the previous one
        left."""
        entity = {"PartitionKey": "run", "RowKey": name}
        entity.update(started_at=started.isoformat(), state="running")
        self._tables.get("checkpoints").upsert_entity(entity, mode=UpdateMode.REPLACE)

    def record_run(self, fields: Mapping[str, Any], name: str = "discovery") -> None:
        """Store the latest run's summary."""
        entity = {"PartitionKey": "run", "RowKey": name, **fields}
        self._tables.get("checkpoints").upsert_entity(encode(entity), mode=UpdateMode.MERGE)

    def last_run(self, name: str = "discovery") -> Entity | None:
        """The latest run's summary, if any."""
        try:
            return decode(self._tables.get("checkpoints").get_entity("run", name))
        except ResourceNotFoundError:
            return None

    # -- internals --------------------------------------------------------------------------
    def _merge(self, table: str, entity: Entity, etag: str | None) -> bool:
        client = self._tables.get(table)
        try:
            if etag is None:
                client.upsert_entity(encode(entity), mode=UpdateMode.MERGE)
            else:
                client.update_entity(
                    encode(entity),
                    mode=UpdateMode.MERGE,
                    etag=etag,
                    match_condition=MatchConditions.IfNotModified,
                )
        except (ResourceModifiedError, ResourceNotFoundError):
            return False
        except HttpResponseError as error:
            if error.status_code == 412:
                return False
            raise
        return True


def delivery_entity(key: str, mailbox: str, fields: Mapping[str, Any], now: str) -> Entity:
    """The (meeting, mailbox) delivery row: partitioned by meeting, one row per mailbox."""
    return {
        "PartitionKey": key,
        "RowKey": row_key(mailbox),
        "mailbox": mailbox,
        **fields,
        "updated_at": now,
    }


def submit(table: TableClient, operations: list[Any]) -> None:
    """Entity operations of one partition as transactions (at most 100 operations each)."""
    for start in range(0, len(operations), TRANSACTION_LIMIT):
        table.submit_transaction(operations[start : start + TRANSACTION_LIMIT])


def encode(entity: Mapping[str, Any]) -> Entity:
    """Lists and dicts are stored as JSON strings (Table properties are scalars)."""
    out: Entity = {}
    for name, value in entity.items():
        if name.startswith("_"):
            continue
        stored: Any = value
        if isinstance(value, list | dict):
            stored = json.dumps(value)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**31:
            stored = (value, EdmType.INT64)  # Zoom meeting ids exceed Int32
        out[name] = stored
    return out


def decode(entity: Any) -> Entity:
    out: Entity = {
        name: value.value if isinstance(value, EntityProperty) else value
        for name, value in dict(entity).items()
    }
    out["_etag"] = entity.metadata.get("etag") if hasattr(entity, "metadata") else None
    return out


def json_field(row: Mapping[str, Any], name: str, default: Any) -> Any:
    """A list or dict property stored as JSON by _encode."""
    raw = row.get(name)
    if raw is None or raw == "":
        return default
    return json.loads(raw) if isinstance(raw, str) else raw
