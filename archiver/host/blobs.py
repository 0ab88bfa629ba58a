"""Blob-trigger semantics: each new or changed blob fires once, with receipts kept in storage.

Locally both "LogsAndContainerScan" and "EventGrid" sources are driven by scanning the container;
in Azure the Event Grid subscription delivers the same blobs. Work goes through an internal queue
with the queue semantics (retries, poison to webjobs-blobtrigger-poison), as the real host does.

Several host processes may serve the same app against the same storage (`host` running while an
admin types `run --once`): they are instances of one app, as in Azure, and coordinate the way the
real host's instances do. They share the host id, so the internal queue
`azure-webjobs-blobtrigger-<hostid>` (competing consumers) and the receipts. A receipt
(`azure-webjobs-hosts/blobreceipts/<hostid>/<function>/<etag>/<container>/<blob>`) is created
"Incomplete" if absent, and whoever holds its 30-second blob lease enqueues the one message for
that blob version and then marks it complete: a version is queued once, whichever instance saw
it first, and a crash between the two leaves an incomplete receipt that the next scan finishes.
Retries and poisoning are the queue's. A message whose blob is gone, or was overwritten (its
new version has a receipt of its own), is dropped, as the real host does.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.storage.blob import BlobClient, BlobServiceClient

HOSTS_CONTAINER = "azure-webjobs-hosts"
POISON_QUEUE = "webjobs-blobtrigger-poison"
# The real host's receipt metadata: the key's presence marks a receipt not yet complete.
INCOMPLETE = "Incomplete"
# How long a receipt is leased while its message is enqueued (the real host's 30 s).
RECEIPT_LEASE_SECONDS = 30


def pattern_regex(path: str) -> tuple[str, str, re.Pattern[str]]:
    """(container, static blob-name prefix, regex over blob names) for a trigger path."""
    container, _, blob_pattern = path.partition("/")
    prefix = blob_pattern.split("{", 1)[0]
    parts = re.split(r"(\{[^}]+\})", blob_pattern)
    regex = "".join(f"(?P<{p[1:-1]}>.+)" if p.startswith("{") else re.escape(p) for p in parts if p)
    return container, prefix, re.compile(f"^{regex}$")


@dataclass
class ScanResult:
    """What one scan did: versions it enqueued, and versions another instance was enqueueing
    (their receipt was leased or being created): the next scan looks at those again."""

    enqueued: int = 0
    deferred: int = 0


class BlobWatcher:
    """Finds blobs for one blob-triggered function whose receipt is missing or incomplete."""

    def __init__(self, service: BlobServiceClient, function: str, path: str, host_id: str):
        self._service = service
        self.function = function
        self.container, self._prefix, self._regex = pattern_regex(path)
        self._host_id = host_id
        # Blob versions known to have a complete receipt: rescans skip them without asking
        # storage again.
        self._fired: set[str] = set()
        self._lock = threading.Lock()
        self._receipts = service.get_container_client(HOSTS_CONTAINER)
        with contextlib.suppress(ResourceExistsError):
            self._receipts.create_container()

    def receipt_name(self, etag: str, blob: str) -> str:
        """Where the receipt of one blob version lives (the real host's layout)."""
        return (
            f"blobreceipts/{self._host_id}/{self.function}/{etag.strip(chr(34))}/"
            f"{self.container}/{blob}"
        )

    def has_receipt(self, etag: str, blob: str) -> bool:
        """True when this blob version has a complete receipt (its message was enqueued)."""
        receipt = self._receipts.get_blob_client(self.receipt_name(etag, blob))
        try:
            return INCOMPLETE not in (receipt.get_blob_properties().metadata or {})
        except ResourceNotFoundError:
            return False

    def scan(self, enqueue: Callable[[str], object]) -> ScanResult:
        """Enqueue (with `enqueue`) one message per blob version that has no complete receipt."""
        container = self._service.get_container_client(self.container)
        result = ScanResult()
        try:
            blobs = list(container.list_blobs(name_starts_with=self._prefix))
        except ResourceNotFoundError:
            return result
        for blob in blobs:
            if not self._regex.match(blob.name):
                continue
            token = f"{blob.etag}|{blob.name}"
            with self._lock:
                if token in self._fired:
                    continue
            outcome = self._claim(str(blob.etag), blob.name, enqueue)
            if outcome is None:
                result.deferred += 1
                continue
            with self._lock:
                self._fired.add(token)
            result.enqueued += outcome
        return result

    def _claim(self, etag: str, blob: str, enqueue: Callable[[str], object]) -> int | None:
        """1: this call enqueued the version; 0: its receipt was already complete; None:
        another instance holds it right now (try again at the next scan)."""
        receipt = self._receipts.get_blob_client(self.receipt_name(etag, blob))
        state = _receipt_state(receipt)
        if state == "complete":
            return 0
        if state == "absent":
            try:
                receipt.upload_blob(b"", metadata={INCOMPLETE: INCOMPLETE}, overwrite=False)
            except (ResourceExistsError, ResourceModifiedError):
                return None  # another instance just created it (or holds its lease)
        try:
            lease = receipt.acquire_lease(lease_duration=RECEIPT_LEASE_SECONDS)
        except ResourceNotFoundError:
            return None  # deleted meanwhile (a receipt removed to force a re-run)
        except HttpResponseError as error:
            if error.status_code == 409:  # LeaseAlreadyPresent: another instance is on it
                return None
            raise
        try:
            # Checked again under the lease: the instance that held it may have finished.
            if _receipt_state(receipt) == "complete":
                return 0
            enqueue(
                json.dumps(
                    {
                        "function": self.function,
                        "container": self.container,
                        "blob": blob,
                        "etag": etag,
                    }
                )
            )
            receipt.set_blob_metadata({}, lease=lease)
        finally:
            with contextlib.suppress(HttpResponseError):
                lease.release()
        return 1

    def read(self, blob: str, etag: str) -> tuple[bytes, str, int] | None:
        """The bytes, URI and length of this version of the blob; None when the blob is gone or
        was overwritten since the message was enqueued."""
        client = self._service.get_blob_client(self.container, blob)
        try:
            data = client.download_blob(
                etag=etag, match_condition=MatchConditions.IfNotModified
            ).readall()
        except (ResourceNotFoundError, ResourceModifiedError):
            return None
        return data, client.url, len(data)


def _receipt_state(receipt: BlobClient) -> str:
    try:
        metadata = receipt.get_blob_properties().metadata or {}
    except ResourceNotFoundError:
        return "absent"
    return "incomplete" if INCOMPLETE in metadata else "complete"
