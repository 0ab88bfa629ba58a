"""A process-wide "Zoom said no" (pure): once a capability is refused for good (a plan without
it, an app without the scope), the process stops asking and says why."""

from __future__ import annotations

import threading


class Refusal:
    """Remembers the first refusal of one capability in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.refused: str | None = None  # why (None: not refused)

    def refuse(self, reason: object) -> None:
        with self._lock:
            if self.refused is None:
                self.refused = str(reason)
