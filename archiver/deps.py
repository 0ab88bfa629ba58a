"""The composition root: real adapters built lazily from Settings, or fakes passed in by tests."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from archiver.blobstore import BlobStore
from archiver.directory import MailboxDirectory
from archiver.ledger import Ledger, Tables
from archiver.ports import GraphPort, QueuePort, ZoomPort
from archiver.runlog import RunLog
from archiver.settings import Settings
from archiver.storage import StorageClients


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class StorageQueues:
    """QueuePort over Azure Storage queues, base64-encoded as the Functions host expects."""

    def __init__(self, clients: StorageClients) -> None:
        self._clients = clients
        self._queues: dict[str, Any] = {}
        self._lock = threading.Lock()

    def send(self, queue: str, body: bytes) -> None:
        """Store one message; returns only when the service has accepted it."""
        with self._lock:
            if queue not in self._queues:
                client = self._clients.queue(queue)
                from azure.core.exceptions import ResourceExistsError

                with contextlib.suppress(ResourceExistsError):
                    client.create_queue()
                self._queues[queue] = client
            client = self._queues[queue]
        client.send_message(body)


class Deps:
    """Everything a pipeline step needs; nothing connects until first used."""

    def __init__(
        self,
        settings: Settings,
        *,
        zoom: ZoomPort | None = None,
        graph: GraphPort | None = None,
        queues: QueuePort | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._zoom = zoom
        self._graph = graph
        self._queues = queues

    @cached_property
    def storage(self) -> StorageClients:
        """Azure Storage service clients."""
        return StorageClients(self.settings.storage)

    @cached_property
    def zoom(self) -> ZoomPort:
        """The Zoom API client."""
        if self._zoom is not None:
            return self._zoom
        from archiver.zoom import ZoomClient

        s = self.settings
        client: ZoomPort = ZoomClient(
            api_url=s.zoom_api_url,
            oauth_url=s.zoom_oauth_url,
            account_id=s.zoom_account_id,
            client_id=s.zoom_client_id,
            client_secret=s.zoom_client_secret,
            download_hosts=s.zoom_download_hosts,
            plan=s.zoom_rate_plan,
            timeout=s.http_timeout_seconds,
        )
        return client

    @cached_property
    def graph(self) -> GraphPort:
        """The Microsoft Graph mail client."""
        if self._graph is not None:
            return self._graph
        from archiver.graph import GraphClient

        s = self.settings
        client: GraphPort = GraphClient(
            graph_url=s.graph_url,
            authority_host=s.graph_authority_host,
            tenant_id=s.graph_tenant_id,
            client_id=s.graph_client_id,
            client_secret=s.graph_client_secret,
            client_certificate_pem=s.graph_client_certificate,
            timeout=s.http_timeout_seconds,
            mailbox_concurrency=s.mailbox_concurrency,
        )
        return client

    @cached_property
    def queues(self) -> QueuePort:
        """Durable queues for work items."""
        return self._queues or StorageQueues(self.storage)

    @cached_property
    def tables(self) -> Tables:
        """The product's tables."""
        return Tables(self.storage.tables, self.settings.table_prefix)

    @cached_property
    def ledger(self) -> Ledger:
        """Meetings, deliveries and checkpoints."""
        return Ledger(self.tables, clock=self.clock)

    @cached_property
    def runlog(self) -> RunLog:
        """Per meeting x mailbox outcomes."""
        return RunLog(self.tables, clock=self.clock)

    @cached_property
    def blobs(self) -> BlobStore:
        """Staging and archive containers."""
        return BlobStore(self.storage.blobs)

    @cached_property
    def directory(self) -> MailboxDirectory:
        """Overrides, mailbox lookups and folder ids, cached in Table storage."""
        return MailboxDirectory(self.tables, self.graph.find_mailbox, clock=self.clock)
