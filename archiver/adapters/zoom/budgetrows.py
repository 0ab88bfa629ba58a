"""The Zoom budget's rows in Table storage (`<prefix>zoombudget`, one partition): each row holds
one JSON state, created if absent and replaced only under the etag it was read with."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from azure.core import MatchConditions
from azure.core.exceptions import (
    AzureError,
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.data.tables import TableClient, UpdateMode

from archiver.adapters.ledger import Tables
from archiver.errors import ServiceUnavailableError

TABLE = "zoombudget"
PARTITION = "budget"


def rate_row(category: str) -> str:
    """The row of a category's per-second slots."""
    return f"rate-{category}"


def day_row(day: str) -> str:
    """The row of one UTC day's counts (yyyy-mm-dd)."""
    return f"day-{day}"


@contextlib.contextmanager
def _storage(action: str) -> Iterator[None]:
    """Storage failures as the transient error they are (never the SDK's text: it may hold URLs)."""
    try:
        yield
    except AzureError as error:
        raise ServiceUnavailableError(
            f"the Zoom rate budget could not {action} ({type(error).__name__})",
            service="storage",
            hint="the budget table is in AzureWebJobsStorage; Zoom calls wait for it",
        ) from None


class BudgetRows:
    """Reads and conditionally replaces the budget's rows."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables
        self._table: TableClient | None = None

    def _client(self) -> TableClient:
        if self._table is None:
            with _storage("open its table"):
                self._table = self._tables.get(TABLE)
        return self._table

    def read(self, row: str) -> tuple[str | None, str | None]:
        """A row's state and etag; (None, None) when the row does not exist yet."""
        table = self._client()
        with _storage("read its state"):
            try:
                entity = table.get_entity(PARTITION, row)
            except ResourceNotFoundError:
                return None, None
        return str(entity.get("state") or ""), str(entity.metadata.get("etag") or "")

    def write(self, row: str, state: str, etag: str | None) -> bool:
        """Create the row (no etag) or replace it if unchanged since read; False when another
        instance got there first (read again and retry)."""
        table = self._client()
        entity = {"PartitionKey": PARTITION, "RowKey": row, "state": state}
        with _storage("record its state"):
            try:
                if etag is None:
                    table.create_entity(entity)
                else:
                    table.update_entity(
                        entity,
                        mode=UpdateMode.REPLACE,
                        etag=etag,
                        match_condition=MatchConditions.IfNotModified,
                    )
            except (ResourceExistsError, ResourceModifiedError, ResourceNotFoundError):
                return False
            except HttpResponseError as error:
                if error.status_code in (409, 412):
                    return False
                raise
        return True

    def read_all(self) -> dict[str, str]:
        """Every row's state, by row key."""
        table = self._client()
        with _storage("read its state"):
            rows = table.query_entities("PartitionKey eq @pk", parameters={"pk": PARTITION})
            return {str(row["RowKey"]): str(row.get("state") or "") for row in rows}
