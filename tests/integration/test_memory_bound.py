"""Memory stays flat with file size: Zoom -> Blob -> Graph never holds a whole file."""

from __future__ import annotations

import hashlib
import tracemalloc
import uuid
from collections.abc import Iterator

import pytest

from archiver.adapters.blobstore import BlobStore
from archiver.adapters.storage import StorageClients
from archiver.adapters.transfer import copy_to_blob
from archiver.settings import StorageConnection

pytestmark = [pytest.mark.integration, pytest.mark.slow]
MIB = 1024 * 1024
PATTERN = bytes(range(256)) * 4096  # 1 MiB


class StreamingZoom:
    """Serves a file of any size in 1 MiB chunks without ever building it."""

    def __init__(self, size: int) -> None:
        self.size = size

    def open_download(self, url: str, *, start: int = 0):
        size = self.size

        class Download:
            def __enter__(self) -> Iterator[bytes]:
                def chunks() -> Iterator[bytes]:
                    sent = start
                    while sent < size:
                        part = PATTERN[: min(MIB, size - sent)]
                        sent += len(part)
                        yield part

                return chunks()

            def __exit__(self, *exc: object) -> None:
                return None

        return Download()


def round_trip_peak(store: BlobStore, container: str, size: int) -> tuple[int, str]:
    """Peak traced memory of copying `size` bytes in and streaming them out in 4 MB chunks."""
    tracemalloc.start()
    stored = copy_to_blob(
        StreamingZoom(size),
        store,
        url="https://zoom.us/x",
        container=container,
        name=f"f-{size}",
        content_type="video/mp4",
    ).stored
    digest = hashlib.sha256()
    for offset in range(0, size, 4 * MIB):  # what the upload session reader does
        digest.update(store.read_range(container, stored.name, offset, min(4 * MIB, size - offset)))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert digest.hexdigest() == stored.sha256
    return peak, stored.sha256


def test_peak_memory_does_not_grow_with_file_size(azurite) -> None:
    store = BlobStore(StorageClients(StorageConnection(azurite.connection_string)).blobs)
    container = f"mem-{uuid.uuid4().hex[:8]}"
    small, _ = round_trip_peak(store, container, 40 * MIB)
    large, _ = round_trip_peak(store, container, 240 * MIB)
    assert large < 48 * MIB, f"peak {large / MIB:.1f} MiB for a 240 MiB file"
    assert large < small + 8 * MIB, f"peak grew from {small / MIB:.1f} to {large / MIB:.1f} MiB"
