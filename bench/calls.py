"""HTTP calls per meeting, by service and route shape: where the round trips of a meeting go.

Seeds the throughput corpus (bench/throughput.py) on fresh Azurite and simulators, runs
`python -m archiver run --once` in this process with requests' HTTP adapter wrapped to count every
call (the local host's own calls included), and prints calls per meeting by service, then the
busiest route shapes. Last line: JSON with the per-meeting figures by service.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests.adapters

from bench.common import Bench, print_table
from bench.throughput import seed

# Path pieces that vary per meeting, mailbox or message, folded so routes group by shape.
SHAPES = (
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "{id}"),
    (re.compile(r"[\w.+-]+(@|%40)[\w.-]+"), "{mailbox}"),
    (re.compile(r"0x[0-9A-F]+"), "{etag}"),
    (re.compile(r"\(PartitionKey='[^)]*\)"), "({keys})"),
    (re.compile(r"/[^/]*\d[^/]{16,}"), "/{key}"),
)


class CallCounter:
    """Counts the requests that go through requests' HTTP adapter, by port and route shape."""

    def __init__(self, services: dict[str, str]) -> None:
        self._services = services  # port -> name
        self.counts: collections.Counter[tuple[str, str]] = collections.Counter()
        self._lock = threading.Lock()
        self._send: Any = None

    def __enter__(self) -> CallCounter:
        self._send = original = requests.adapters.HTTPAdapter.send

        def send(adapter: Any, request: Any, **kw: Any) -> Any:
            with self._lock:
                self.counts[self._shape(request.method, request.url)] += 1
            return original(adapter, request, **kw)

        requests.adapters.HTTPAdapter.send = send  # type: ignore[method-assign]
        return self

    def __exit__(self, *_: object) -> None:
        requests.adapters.HTTPAdapter.send = self._send  # type: ignore[method-assign]

    def _shape(self, method: str, url: str) -> tuple[str, str]:
        match = re.match(r"https?://[^:/]+:(\d+)(/[^?]*)", url)
        if not match:
            return "other", f"{method} {url[:60]}"
        service = self._services.get(match.group(1), "zoom files")
        path = match.group(2)
        for pattern, replacement in SHAPES:
            path = pattern.sub(replacement, path)
        return service, f"{method} {path}"


def ports(bench: Bench) -> dict[str, str]:
    """Port -> service name for Azurite's three services and the simulators."""
    found: dict[str, str] = {}
    for part in bench.azurite.connection_string.split(";"):
        name, _, value = part.partition("=")
        match = re.search(r":(\d+)/", value)
        if match and name.endswith("Endpoint"):
            found[match.group(1)] = name.removesuffix("Endpoint").lower()
    for setting, service in (("ZOOM_API_URL", "zoom"), ("GRAPH_URL", "graph")):
        match = re.search(r":(\d+)", bench.values[setting])
        if match:
            found[match.group(1)] = service
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=100)
    parser.add_argument("--routes", type=int, default=25, help="how many route shapes to list")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-calls-") as tmp:
        bench = Bench(Path(tmp))
        try:
            seed(bench, args.meetings)
            settings = bench.write_settings()
            os.environ.update(bench.values)
            from archiver.__main__ import main as archiver

            with CallCounter(ports(bench)) as counter:
                code = archiver(
                    ["run", "--once", "--settings", str(settings), "--log-level", "warning"]
                )
        finally:
            bench.close()
    m = args.meetings
    by_service: collections.Counter[str] = collections.Counter()
    for (service, _), n in counter.counts.items():
        by_service[service] += n
    print_table([(service, f"{n / m:.2f} calls per meeting") for service, n in by_service.items()])
    print()
    for (service, route), n in counter.counts.most_common(args.routes):
        print(f"{n / m:7.2f}  {service:<10} {route}")
    per_meeting = {service: round(n / m, 2) for service, n in sorted(by_service.items())}
    print(json.dumps({"meetings": m, "calls_per_meeting": per_meeting, "ok": code == 0}))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
