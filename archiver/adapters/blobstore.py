"""Blob storage for staged meetings and oversize copies: block writes, ranged reads, JSON."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobBlock, BlobServiceClient, ContainerClient, ContentSettings

from archiver.errors import NotFoundError

BLOCK_SIZE = 4 * 1024 * 1024  # one staged block; the only buffer a transfer holds
BATCH_LIMIT = 256  # sub-requests per Blob batch request


@dataclass(frozen=True)
class StoredFile:
    """A committed blob with the size and SHA-256 recorded when it was written."""

    container: str
    name: str
    size: int
    sha256: str


def block_id(index: int) -> str:
    """Deterministic block ids, so a retry overwrites the blocks of an earlier attempt."""
    return base64.b64encode(f"block-{index:08d}".encode()).decode()


class BlockWriter:
    """Writes one blob as staged blocks with a bounded buffer, hashing as it goes."""

    def __init__(self, container: ContainerClient, name: str, *, block_size: int = BLOCK_SIZE):
        self._blob = container.get_blob_client(name)
        self._container = container.container_name
        self._name = name
        self._block_size = block_size
        self._buffer = bytearray()
        self._blocks: list[str] = []
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        """Append bytes; a full block is staged immediately."""
        self._hash.update(data)
        self.size += len(data)
        self._buffer += data
        while len(self._buffer) >= self._block_size:
            self._stage(bytes(self._buffer[: self._block_size]))
            del self._buffer[: self._block_size]

    def commit(self, *, content_type: str) -> StoredFile:
        """Stage the tail and commit the block list (the caller has the whole file)."""
        digest = self._hash.hexdigest()
        settings = ContentSettings(content_type=content_type)
        metadata = {"sha256": digest, "size": str(self.size)}
        if not self._blocks:
            # It all fits in one block: one Put Blob instead of Put Block + Put Block List.
            self._blob.upload_blob(
                bytes(self._buffer), overwrite=True, content_settings=settings, metadata=metadata
            )
            self._buffer.clear()
            return StoredFile(self._container, self._name, self.size, digest)
        if self._buffer:
            self._stage(bytes(self._buffer))
            self._buffer.clear()
        self._blob.commit_block_list(
            [BlobBlock(block_id=block) for block in self._blocks],
            content_settings=settings,
            metadata=metadata,
        )
        return StoredFile(self._container, self._name, self.size, digest)

    def _stage(self, block: bytes) -> None:
        block_name = block_id(len(self._blocks))
        self._blob.stage_block(block_name, block, length=len(block))
        self._blocks.append(block_name)


class BlobStore:
    """Named containers of one storage account."""

    def __init__(self, service: BlobServiceClient) -> None:
        self._service = service
        # One client per container, created on first use (building one costs as much as a call).
        self._containers: dict[str, ContainerClient] = {}

    def container(self, name: str) -> ContainerClient:
        """The container, created on first use."""
        client = self._containers.get(name)
        if client is None:
            client = self._service.get_container_client(name)
            with contextlib.suppress(ResourceExistsError):
                client.create_container()
            self._containers[name] = client
        return client

    def writer(self, container: str, name: str) -> BlockWriter:
        """A block writer for a new blob."""
        return BlockWriter(self.container(container), name)

    def stored(self, container: str, name: str) -> StoredFile | None:
        """The committed blob's recorded size and hash, or None if it is not (fully) there."""
        try:
            props = self.container(container).get_blob_client(name).get_blob_properties()
        except ResourceNotFoundError:
            return None
        sha = props.metadata.get("sha256")
        if not sha:
            return None
        return StoredFile(container, name, props.size, sha)

    def exists(self, container: str, name: str) -> bool:
        """True when the blob exists."""
        return bool(self.container(container).get_blob_client(name).exists())

    def read_range(self, container: str, name: str, offset: int, length: int) -> bytes:
        """Bytes [offset, offset+length) of a blob."""
        blob = self.container(container).get_blob_client(name)
        return blob.download_blob(offset=offset, length=length).readall()

    def iter_range(
        self, container: str, name: str, offset: int, length: int, *, chunk: int = BLOCK_SIZE
    ) -> Iterator[bytes]:
        """A blob range as chunks, never more than `chunk` bytes in memory."""
        end = offset + length
        while offset < end:
            size = min(chunk, end - offset)
            yield self.read_range(container, name, offset, size)
            offset += size

    def read_bytes(self, container: str, name: str, *, limit: int) -> bytes:
        """A small blob's content (at most `limit` bytes)."""
        blob = self.container(container).get_blob_client(name)
        try:
            return blob.download_blob(offset=0, length=limit).readall()
        except ResourceNotFoundError:
            raise NotFoundError(f"blob {container}/{name} does not exist") from None

    def write_json(self, container: str, name: str, value: Any) -> None:
        """Store a JSON document (overwrites)."""
        data = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
        self.container(container).upload_blob(
            name,
            data,
            overwrite=True,
            content_settings=ContentSettings(content_type="application/json"),
        )

    def read_json(self, container: str, name: str) -> Any:
        """Load a JSON document; NotFoundError if missing."""
        blob = self.container(container).get_blob_client(name)
        try:
            return json.loads(blob.download_blob().readall())
        except ResourceNotFoundError:
            raise NotFoundError(f"blob {container}/{name} does not exist") from None

    def write_bytes(self, container: str, name: str, data: bytes, content_type: str) -> StoredFile:
        """Store small content with its hash recorded like a block-written file."""
        digest = hashlib.sha256(data).hexdigest()
        self.container(container).upload_blob(
            name,
            data,
            overwrite=True,
            content_settings=ContentSettings(content_type=content_type),
            metadata={"sha256": digest, "size": str(len(data))},
        )
        return StoredFile(container, name, len(data), digest)

    def list_names(self, container: str, prefix: str) -> list[str]:
        """Blob names under a prefix."""
        return [b.name for b in self.container(container).list_blobs(name_starts_with=prefix)]

    def delete(self, container: str, names: list[str]) -> int:
        """Delete blobs by name in batch requests; returns how many went (missing ones are fine)."""
        client = self.container(container)
        count = 0
        for start in range(0, len(names), BATCH_LIMIT):
            answers = client.delete_blobs(
                *names[start : start + BATCH_LIMIT], raise_on_any_failure=False
            )
            for answer in answers:
                if answer.status_code < 300:
                    count += 1
                elif answer.status_code != 404:  # gone already is what we wanted
                    raise HttpResponseError(
                        f"deleting blobs in {container}: status {answer.status_code}",
                        response=answer,
                    )
        return count
