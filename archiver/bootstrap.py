"""The composition root: real adapters built lazily from Settings, or fakes passed in by tests.

The environment (app settings) is read here, once per process, and nowhere else in the product.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from archiver.adapters.blobstore import BlobStore
from archiver.adapters.directory import MailboxDirectory
from archiver.adapters.ledger import Ledger, Tables
from archiver.adapters.queues import StorageQueues
from archiver.adapters.runlog import RunLog
from archiver.adapters.storage import StorageClients
from archiver.core.mapping import Mailbox
from archiver.core.ports import GraphPort, QueuePort, ZoomPort
from archiver.core.seen import SeenListings
from archiver.core.switch import Refusal
from archiver.settings import Settings
from archiver.sources.archiving import ArchivingSource
from archiver.sources.assemble import Source
from archiver.sources.details import MeetingDetails
from archiver.sources.interactions import InteractionsSource
from archiver.sources.recordings import CloudRecordings
from archiver.sources.webinars import WebinarSource

if TYPE_CHECKING:
    from archiver.adapters.zoom.budget import SharedBudget


# The ledger mark of the last time Zoom said the account has no Webinar licence (`status`).
NO_WEBINAR_LICENCE = "zoom:no-webinar-licence"
LICENCE_RECHECK = timedelta(days=1)


def environment_settings(*, partial: bool = False, collect: bool = False) -> Settings:
    """The app settings of this process (Azure app settings or the local host's values).

    `partial`: an admin command may run without the settings of a service it does not call;
    `collect`: `check` records every invalid setting instead of stopping at the first.
    """
    return Settings.from_mapping(os.environ, partial=partial, collect=collect)


def from_environment(*, partial: bool = False) -> Deps:
    """Dependencies built from the environment's settings."""
    return Deps(environment_settings(partial=partial))


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


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
        # True: Zoom calls are limited in this process only (`check` with storage down).
        self.local_zoom_limits = False

    @cached_property
    def storage(self) -> StorageClients:
        """Azure Storage service clients."""
        self.settings.require("Storage")
        return StorageClients(self.settings.storage)

    @cached_property
    def zoom(self) -> ZoomPort:
        """The Zoom API client."""
        if self._zoom is not None:
            return self._zoom
        from archiver.adapters.zoom import ZoomClient

        s = self.settings
        s.require("Zoom")
        client: ZoomPort = ZoomClient(
            api_url=s.zoom_api_url,
            oauth_url=s.zoom_oauth_url,
            account_id=s.zoom_account_id,
            client_id=s.zoom_client_id,
            client_secret=s.zoom_client_secret,
            download_hosts=s.zoom_download_hosts,
            plan=s.zoom_rate_plan,
            limiter=None if self.local_zoom_limits else self.zoom_budget,
            timeout=s.http_timeout_seconds,
        )
        return client

    @cached_property
    def zoom_budget(self) -> SharedBudget:
        """Zoom's rate limits and daily Heavy cap, shared by every instance through storage."""
        from archiver.adapters.zoom.budget import SharedBudget

        s = self.settings
        return SharedBudget(
            self.tables,
            plan=s.zoom_rate_plan,
            daily_limit=s.zoom_daily_heavy_limit,
            reserve_percent=s.zoom_daily_heavy_reserve_percent,
        )

    @cached_property
    def graph(self) -> GraphPort:
        """The Microsoft Graph mail client."""
        if self._graph is not None:
            return self._graph
        from archiver.adapters.graph import GraphClient
        from archiver.adapters.identity import managed_identity_assertion

        s = self.settings
        s.require("Graph")
        federated = s.graph_credential == "managedidentity"
        client: GraphPort = GraphClient(
            graph_url=s.graph_url,
            authority_host=s.graph_authority_host,
            tenant_id=s.graph_tenant_id,
            client_id=s.graph_client_id,
            client_secret=s.graph_client_secret if s.graph_credential == "secret" else None,
            client_certificate_pem=s.graph_client_certificate
            if s.graph_credential == "certificate"
            else None,
            client_assertion=managed_identity_assertion(
                s.graph_managed_identity_client_id, s.graph_token_exchange_audience
            )
            if federated
            else None,
            timeout=s.http_timeout_seconds,
            mailbox_concurrency=s.mailbox_concurrency,
        )
        return client

    @cached_property
    def sources(self) -> tuple[Source, ...]:
        """The Zoom content sources, in order of preference: the archive's copy of a content
        (its chat holds every line) before the cloud recording's; for a meeting neither has
        (nobody recorded it, ARCHIVE_UNRECORDED), its details and participants; then polls,
        Q&A, survey and summary."""
        found: list[Source] = []
        if self.settings.zoom_archiving != "off":
            found.append(self.archiving)
        found.append(CloudRecordings(self.zoom))
        if self.settings.archive_unrecorded:
            found.append(MeetingDetails(self.zoom))  # a fallback: before the interactions
        found.append(self.interactions)
        return tuple(found)

    @cached_property
    def interactions(self) -> InteractionsSource:
        """Polls, Q&A, survey and AI Companion summary (their bytes held until staged)."""
        return InteractionsSource(self.zoom)

    @cached_property
    def webinar_sources(self) -> tuple[Source, ...]:
        """The sources of a webinar: its archive, its recordings, the webinar APIs for its
        details, participants and absentees, then its polls, Q&A and survey."""
        found: list[Source] = []
        if self.settings.zoom_archiving != "off":
            found.append(self.archiving)
        found.append(CloudRecordings(self.zoom, people=False))
        found.append(
            WebinarSource(self.zoom, self.webinar_licence, on_refused=self._record_no_licence)
        )
        # Its polls, Q&A and survey, held with the meetings' (staging takes the bytes there).
        found.append(
            InteractionsSource(
                self.zoom, self.interactions.held, webinar=True, licence=self.webinar_licence
            )
        )
        return tuple(found)

    def sources_for(self, kind: str) -> tuple[Source, ...]:
        """The sources of a meeting instance of this kind ("meeting" or "webinar")."""
        return self.webinar_sources if kind == "webinar" else self.sources

    @cached_property
    def webinar_licence(self) -> Refusal:
        """Whether Zoom said the account has no Webinar licence (then webinars are archived
        from their recordings alone): what any instance learnt in the last day, so a new
        process does not ask again for every webinar; a licence added later is seen the day
        after."""
        refusal = Refusal()
        since = self.ledger.get_mark(NO_WEBINAR_LICENCE)
        if since is not None and self.clock() - since < LICENCE_RECHECK:
            refusal.refuse(
                f"Zoom said the account has no Webinar licence at {since:%Y-%m-%d %H:%M} UTC"
            )
        return refusal

    def _record_no_licence(self, reason: str) -> None:
        self.ledger.set_mark(NO_WEBINAR_LICENCE, self.clock())

    @cached_property
    def seen(self) -> SeenListings:
        """Listing entries this process already acted on (discovery skips them)."""
        return SeenListings()

    @cached_property
    def account_listing(self) -> Refusal:
        """Whether Zoom refused this process the account-level recordings listing (then each
        user's recordings are listed instead)."""
        return Refusal()

    @cached_property
    def history_listing(self) -> Refusal:
        """Whether Zoom refused this process the account's meeting history (then each user's
        meeting report is listed instead)."""
        return Refusal()

    @cached_property
    def archiving(self) -> ArchivingSource:
        """The Archiving API source (asked unless ZOOM_ARCHIVING=off)."""
        return ArchivingSource(self.zoom, self.settings.zoom_archiving)

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

        # Graph is reached only for a lookup: `mappings list` and `remove` need no Graph settings.
        def find_mailbox(address: str) -> Mailbox | None:
            return self.graph.find_mailbox(address)

        return MailboxDirectory(self.tables, find_mailbox, clock=self.clock)
