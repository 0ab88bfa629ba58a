"""Azure Storage queues: the work-item queues, as the Functions host reads them."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from azure.core.exceptions import ResourceExistsError

from archiver.adapters.storage import StorageClients

# Where the Functions host puts blob-trigger messages that failed maxDequeueCount times (plain
# JSON naming the blob, not base64).
BLOB_POISON_QUEUE = "webjobs-blobtrigger-poison"


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
                with contextlib.suppress(ResourceExistsError):
                    client.create_queue()
                self._queues[queue] = client
            client = self._queues[queue]
        client.send_message(body)
