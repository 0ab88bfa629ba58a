"""Delivery leases kept alive while an invocation works: short after a crash, never shared.

A delivery row is leased for DELIVERY_LEASE_SECONDS; while the invocation holding it still
works, a heartbeat renews it every third of that, with the row's etag. A worker that died stops
renewing, so its mailboxes can be taken over by the next attempt within one lease; a worker
whose renewal is refused (another took the row over after the lease ran out: a long pause) has
lost the delivery and stops before it creates anything more.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType

from archiver.adapters.ledger import Ledger
from archiver.errors import TransientError

log = logging.getLogger(__name__)


class LeaseLostError(TransientError):
    """Another worker holds this delivery now: this one must not touch the mailbox again."""


class Leases:
    """The delivery rows of one meeting this invocation holds, renewed in the background."""

    def __init__(
        self,
        ledger: Ledger,
        key: str,
        *,
        lease: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self._ledger = ledger
        self._key = key
        self._lease = lease
        self._clock = clock
        self._held: dict[str, str] = {}  # mailbox id -> the row's etag
        self._lost: set[str] = set()
        self._renewed = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, mailbox: str, etag: str | None) -> None:
        """Keep this mailbox's lease alive (its row was just claimed with `etag`)."""
        if etag:
            with self._lock:
                self._held[mailbox] = etag

    def release(self, mailbox: str) -> None:
        """Stop renewing: the delivery is over (its outcome is written next)."""
        with self._lock:
            self._held.pop(mailbox, None)

    def check(self, mailbox: str) -> None:
        """Raise LeaseLostError when another worker has taken this delivery over."""
        with self._lock:
            lost = mailbox in self._lost
            stale = time.monotonic() - self._renewed > self._lease.total_seconds()
        if lost or stale:
            raise LeaseLostError(
                "the delivery's lease was lost (another worker may hold it); retried later",
                meeting=self._key,
                mailbox=mailbox,
            )

    def renew(self) -> None:
        """One round of renewals (what the heartbeat runs)."""
        with self._lock:
            held = dict(self._held)
        until = self._clock() + self._lease
        for mailbox, etag in held.items():
            try:
                fresh = self._ledger.renew_delivery(self._key, mailbox, until=until, etag=etag)
            except Exception:
                # Storage unreachable: the lease may run out; check() stops the work if so.
                log.warning(
                    "lease renewal failed", extra={"meeting": self._key, "mailbox": mailbox}
                )
                return
            with self._lock:
                if mailbox not in self._held:
                    continue
                if fresh is None:
                    self._lost.add(mailbox)
                    self._held.pop(mailbox, None)
                else:
                    self._held[mailbox] = fresh
        with self._lock:
            self._renewed = time.monotonic()

    def __enter__(self) -> Leases:
        interval = self._lease.total_seconds() / 3

        def beat() -> None:
            while not self._stop.wait(interval):
                self.renew()

        self._thread = threading.Thread(target=beat, name=f"lease-{self._key[:8]}", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
