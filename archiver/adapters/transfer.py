"""Zoom -> Blob transfer: streamed in blocks, resumed by Range request after a mid-body failure."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from archiver.adapters.blobstore import BLOCK_SIZE, BlobStore, StoredFile
from archiver.core.ports import Downloader
from archiver.errors import TransientError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Copy:
    """The stored blob, and its content when the caller asked to keep a small file's bytes."""

    stored: StoredFile
    content: bytes | None = None


def copy_to_blob(
    zoom: Downloader,
    store: BlobStore,
    *,
    url: str,
    container: str,
    name: str,
    content_type: str,
    max_resumes: int = 5,
    resume: bool = True,
    keep_content: bool = False,
) -> Copy:
    """Copy one Zoom file into a blob, at most one block in memory.

    The download decides when the file is complete (HTTP's announced length and a clean end of
    body); the blob is committed only then, so a committed blob is a complete file. With
    `resume` (a retried work item) one committed by an earlier attempt is kept instead of
    downloaded again; a first attempt skips that lookup. `keep_content` returns the bytes of a
    file that fits in one block (chat and transcripts, which rendering reads).
    """
    if resume:
        existing = store.stored(container, name)
        if existing is not None:
            return Copy(existing)
    writer = store.writer(container, name)
    resumes = 0
    kept: bytearray | None = bytearray() if keep_content else None
    while True:
        start = writer.size
        try:
            with zoom.open_download(url, start=start) as download:
                for chunk in download:
                    writer.write(chunk)
                    if kept is not None:
                        kept += chunk
                        if len(kept) > BLOCK_SIZE:
                            kept = None  # too big to keep: rendering reads it from the blob
            break
        except TransientError as error:
            # A reset mid-body keeps what was received: the next request asks for the rest
            # (Range) and the running SHA-256 simply continues. No progress means give up here
            # and let the queue retry the whole message later.
            if writer.size == start or resumes >= max_resumes:
                raise
            resumes += 1
            log.warning(
                "download interrupted; resuming",
                extra={"blob": name, "offset": writer.size, "reason": error.reason},
            )
    stored = writer.commit(content_type=content_type)
    return Copy(stored, bytes(kept) if kept is not None else None)


def store_bytes(
    store: BlobStore, data: bytes, *, container: str, name: str, content_type: str, resume: bool
) -> Copy:
    """Store bytes a source already fetched (an API answer, not a download), hashed like any
    copy; with `resume` a blob an earlier attempt committed is kept."""
    if resume:
        existing = store.stored(container, name)
        if existing is not None:
            return Copy(existing, data)
    writer = store.writer(container, name)
    for offset in range(0, len(data), BLOCK_SIZE):
        writer.write(data[offset : offset + BLOCK_SIZE])
    return Copy(writer.commit(content_type=content_type), data)
