"""Drives the pipeline steps in-process against Azurite with fake Zoom and Graph ports."""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from archiver.bootstrap import Deps
from archiver.core.contracts import (
    MANIFESTS_PREFIX,
    FileWorkItem,
    Manifest,
    StagedMeeting,
    UsersShard,
    WorkItem,
)
from archiver.errors import TransientError
from archiver.settings import Settings
from archiver.steps.discovery import discover_users, run_discovery
from archiver.steps.importer import import_meeting
from archiver.steps.staging import stage_file, stage_meeting
from tests.fakes import FakeGraph, FakeZoom, ListQueues, file_id

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def settings_for(connection_string: str, **overrides: str) -> Settings:
    """Settings isolated to one test: unique tables, containers and queues."""
    tag = uuidlib.uuid4().hex[:10]
    env = {
        "AzureWebJobsStorage": connection_string,
        "ZOOM_ACCOUNT_ID": "acct",
        "ZOOM_CLIENT_ID": "zc",
        "ZOOM_CLIENT_SECRET": "zs",
        "GRAPH_TENANT_ID": "11111111-1111-4111-8111-111111111111",
        "GRAPH_CLIENT_ID": "22222222-2222-4222-8222-222222222222",
        "GRAPH_CLIENT_SECRET": "gs",
        "INTERNAL_DOMAINS": "contoso.com",
        "TABLE_PREFIX": f"t{tag}",
        "STAGING_CONTAINER": f"staging-{tag}",
        "ARCHIVE_CONTAINER": f"archive-{tag}",
        "MEETINGS_QUEUE": f"meetings-{tag}",
        "FILES_QUEUE": f"files-{tag}",
        "INITIAL_LOOKBACK_DAYS": "7",
        # The fakes hold recorded meetings only: the meeting history is the simulator's to test
        # (test_unrecorded_discovery.py).
        "ARCHIVE_UNRECORDED": "false",
    }
    env.update(overrides)
    return Settings.from_mapping(env)


@dataclass
class Pipeline:
    """The pipeline's steps wired to fakes, with the queues drained by hand."""

    settings: Settings
    zoom: FakeZoom = field(default_factory=FakeZoom)
    graph: FakeGraph = field(default_factory=FakeGraph)
    queues: ListQueues = field(default_factory=ListQueues)
    now: datetime = NOW

    def __post_init__(self) -> None:
        self.deps = Deps(
            self.settings,
            zoom=self.zoom,
            graph=self.graph,
            queues=self.queues,
            clock=lambda: self.now,
        )

    def discover(self) -> Any:
        return run_discovery(self.deps)

    def stage_all(self, *, reverse_files: bool = False) -> list[str]:
        """Process queued work items until none are left; returns their outcomes."""
        outcomes = []
        while self.queues.sent:
            batch, self.queues.sent = self.queues.sent, []
            if reverse_files:
                batch.reverse()
            for queue, body in batch:
                if queue == self.settings.discovery_queue:
                    discover_users(self.deps, UsersShard.from_json(body))
                elif queue == self.settings.meetings_queue:
                    outcomes.append(stage_meeting(self.deps, WorkItem.from_json(body)))
                else:
                    outcomes.append(stage_file(self.deps, FileWorkItem.from_json(body)))
        return outcomes

    def manifests(self) -> list[Manifest]:
        container = self.settings.staging_container
        names = self.deps.blobs.list_names(container, MANIFESTS_PREFIX)
        return [Manifest.from_json(self._read(container, n)) for n in names]

    def document(self, manifest: Manifest) -> StagedMeeting:
        """The staged meeting a manifest commits."""
        container = self.settings.staging_container
        return StagedMeeting.from_dict(self.deps.blobs.read_json(container, manifest.document))

    def import_all(self) -> list[dict[str, str]]:
        """Fire the import for every manifest, retrying transient failures like the trigger."""
        results = []
        for manifest in self.manifests():
            for _attempt in range(5):
                try:
                    results.append(import_meeting(self.deps, manifest))
                    break
                except TransientError:
                    continue
        return results

    def run(self) -> None:
        self.discover()
        self.stage_all()
        self.import_all()

    def items(self, mailbox: str) -> list[dict[str, Any]]:
        return self.graph.items.get(mailbox, [])

    def _read(self, container: str, name: str) -> bytes:
        import json

        return json.dumps(self.deps.blobs.read_json(container, name)).encode()


def late_transcript(pipeline: Pipeline, uuid: str, size: int = 64) -> None:
    """Zoom completes a transcript of `size` bytes after the meeting was archived."""
    files = pipeline.zoom.meetings[uuid]["recordings"]["recording_files"]
    late = dict(files[0])
    late.update(
        id=file_id(uuid, len(files)),
        file_type="TRANSCRIPT",
        file_extension="VTT",
        file_size=size,
        download_url=f"https://zoom.us/rec/download/{file_id(uuid, len(files))}",
        recording_type="audio_transcript",
    )
    files.append(late)
