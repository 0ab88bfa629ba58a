"""Listing entries this process has already acted on (pure, bounded): repeated listings of the
same meetings (every sweep lists today again) cost nothing after the first."""

from __future__ import annotations

import threading
from collections import OrderedDict


class SeenListings:
    """The most recent `capacity` signatures, least recently seen dropped first."""

    def __init__(self, capacity: int = 200_000) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, None] = OrderedDict()

    def has(self, signature: str) -> bool:
        with self._lock:
            if signature in self._seen:
                self._seen.move_to_end(signature)
                return True
            return False

    def add(self, signature: str) -> None:
        with self._lock:
            self._seen[signature] = None
            self._seen.move_to_end(signature)
            while len(self._seen) > self._capacity:
                self._seen.popitem(last=False)
