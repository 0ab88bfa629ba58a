"""Crash points: every HTTP call the product makes (storage, Zoom, Graph, Entra) can be the last.

Installed in a child process before the archiver runs. Every request goes through requests'
HTTPAdapter.send (the Azure SDKs use requests too), so wrapping it sees them all; a call counts
when product code made it (some frame of the stack belongs to archiver or function_app, the local
host's own polling and receipts excluded). At the chosen call the process ends at once, with no
cleanup, just before the request is sent or just after its answer arrived.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests.adapters

CRASH_EXIT = 86
_HOST_MODULES = ("archiver.host", "archiver.__main__")
_ID = re.compile(r"^[0-9a-f-]{16,}$|^\d{3,}$|%|^oid-|==")


def is_product_call() -> bool:
    """True when the request on this stack was made by the product, not by the local host:
    the innermost frame of ours decides (the host's polling runs under the CLI's frames)."""
    frame = sys._getframe(2)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if module.startswith(("archiver.", "function_app")):
            return not module.startswith(_HOST_MODULES)
        frame = frame.f_back  # type: ignore[assignment]
    return False


def label(method: str, url: str, names: dict[str, str], prefixes: tuple[str, ...]) -> str:
    """A call as a reader of the table knows it: service, method and the route's shape."""
    parts = urlsplit(url)
    service = names.get(f"{parts.hostname}:{parts.port}", parts.hostname or "?")
    if service == "localhost":  # the simulators' second hosts: Outlook uploads, Zoom files
        service = "outlook" if parts.path.startswith("/api/") else "zoom-files"
    path = parts.path.split("(")[0]
    for prefix in prefixes:
        path = path.replace(prefix, "")
    segments = ["{id}" if _ID.search(s) else s for s in path.split("/") if s]
    shaped = "/".join(segments[-3:]) if service.startswith("azurite") else "/".join(segments)
    return f"{service} {method} /{shaped}"


def install(
    *, crash_at: int, when: str, report: Path, names: dict[str, str], prefixes: tuple[str, ...]
) -> None:
    """Count product calls; at call `crash_at` (0: never) end the process `when` before/after."""
    original = requests.adapters.HTTPAdapter.send
    lock = threading.Lock()
    seen: list[str] = []

    def write(extra: dict[str, Any]) -> None:
        report.write_text(json.dumps({"count": len(seen), "labels": seen, **extra}))

    def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_product_call():
            return original(self, request, *args, **kwargs)
        with lock:
            seen.append(label(str(request.method), str(request.url), names, prefixes))
            number = len(seen)
        if number == crash_at and when == "before":
            write({"crashed": number, "when": when})
            os._exit(CRASH_EXIT)
        answer = original(self, request, *args, **kwargs)
        if number == crash_at and when == "after":
            write({"crashed": number, "when": when})
            os._exit(CRASH_EXIT)
        return answer

    requests.adapters.HTTPAdapter.send = send  # type: ignore[method-assign]
    import atexit

    atexit.register(lambda: write({"crashed": None}))
