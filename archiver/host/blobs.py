"""Blob-trigger semantics: each new or changed blob fires once, with receipts kept in storage.

Locally both "LogsAndContainerScan" and "EventGrid" sources are driven by scanning the container;
in Azure the Event Grid subscription delivers the same blobs. Work goes through an internal queue
with the queue semantics (retries, poison to webjobs-blobtrigger-poison), as the real host does.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobServiceClient

HOSTS_CONTAINER = "azure-webjobs-hosts"
POISON_QUEUE = "webjobs-blobtrigger-poison"


def pattern_regex(path: str) -> tuple[str, str, re.Pattern[str]]:
    """(container, static blob-name prefix, regex over blob names) for a trigger path."""
    container, _, blob_pattern = path.partition("/")
    prefix = blob_pattern.split("{", 1)[0]
    parts = re.split(r"(\{[^}]+\})", blob_pattern)
    regex = "".join(f"(?P<{p[1:-1]}>.+)" if p.startswith("{") else re.escape(p) for p in parts if p)
    return container, prefix, re.compile(f"^{regex}$")


class BlobWatcher:
    """Finds blobs for one blob-triggered function that have no receipt yet."""

    def __init__(self, service: BlobServiceClient, function: str, path: str, host_id: str):
        self._service = service
        self.function = function
        self.container, self._prefix, self._regex = pattern_regex(path)
        self._host_id = host_id
        self._pending: set[str] = set()
        # Blob versions known to have fired: rescans skip them without asking storage again.
        self._fired: set[str] = set()
        self._lock = threading.Lock()
        self._receipts = service.get_container_client(HOSTS_CONTAINER)
        with contextlib.suppress(ResourceExistsError):
            self._receipts.create_container()

    @property
    def pending(self) -> int:
        """Blob versions found and queued but not yet fired."""
        with self._lock:
            return len(self._pending)

    def receipt_name(self, etag: str, blob: str) -> str:
        """Where the receipt of one blob version lives (the real host's layout)."""
        return (
            f"blobreceipts/{self._host_id}/{self.function}/{etag.strip(chr(34))}/"
            f"{self.container}/{blob}"
        )

    def has_receipt(self, etag: str, blob: str) -> bool:
        """True when this blob version already fired."""
        return bool(self._receipts.get_blob_client(self.receipt_name(etag, blob)).exists())

    def write_receipt(self, etag: str, blob: str) -> None:
        """Record that this blob version fired (after success, or when it was poisoned)."""
        self._receipts.upload_blob(self.receipt_name(etag, blob), b"", overwrite=True)
        with self._lock:
            self._pending.discard(f"{etag}|{blob}")
            self._fired.add(f"{etag}|{blob}")

    def scan(self) -> list[str]:
        """Messages (JSON) for blob versions not yet fired nor already queued by this process."""
        container = self._service.get_container_client(self.container)
        found = []
        try:
            blobs = list(container.list_blobs(name_starts_with=self._prefix))
        except ResourceNotFoundError:
            return []
        for blob in blobs:
            if not self._regex.match(blob.name):
                continue
            token = f"{blob.etag}|{blob.name}"
            with self._lock:
                if token in self._pending or token in self._fired:
                    continue
            if self.has_receipt(blob.etag, blob.name):
                with self._lock:
                    self._fired.add(token)
                continue
            with self._lock:
                self._pending.add(token)
            found.append(
                json.dumps(
                    {
                        "function": self.function,
                        "container": self.container,
                        "blob": blob.name,
                        "etag": blob.etag,
                    }
                )
            )
        return found

    def read(self, blob: str) -> tuple[bytes, str, int]:
        """The blob's bytes, its URI and length."""
        client = self._service.get_blob_client(self.container, blob)
        data = client.download_blob().readall()
        return data, client.url, len(data)
