"""Zoom -> Blob transfer: streamed in blocks, resumed by Range request after a mid-body failure."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from archiver.blobstore import BLOCK_SIZE, BlobStore, StoredFile
from archiver.errors import TransientError

log = logging.getLogger(__name__)


class Download(Protocol):
    """An open download: a context manager whose value iterates the body in chunks."""

    def __enter__(self) -> Iterable[bytes]: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Downloader(Protocol):
    """What transfer needs from the Zoom client."""

    def open_download(self, url: str, *, expected_size: int, start: int = 0) -> Download: ...


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
    size: int,
    container: str,
    name: str,
    content_type: str,
    max_resumes: int = 5,
    resume: bool = True,
    keep_content: bool = False,
) -> Copy:
    """Copy one Zoom file into a blob, at most one block in memory.

    With `resume` (a retried work item) a blob already committed at the right size is kept
    instead of downloaded again; a first attempt skips that lookup. `keep_content` returns the
    bytes of a file that fits in one block (chat and transcripts, which rendering reads).
    """
    if resume:
        existing = store.stored(container, name)
        if existing is not None and existing.size == size:
            return Copy(existing)
    keep = keep_content and size <= BLOCK_SIZE
    writer = store.writer(container, name)
    resumes = 0
    kept = bytearray()
    while True:
        start = writer.size
        try:
            with zoom.open_download(url, expected_size=size, start=start) as download:
                for chunk in download:
                    writer.write(chunk)
                    if keep:
                        kept += chunk
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
    stored = writer.commit(expected_size=size, content_type=content_type)
    return Copy(stored, bytes(kept) if keep else None)
