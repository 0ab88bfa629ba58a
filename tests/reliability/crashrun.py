"""`python -m tests.reliability.crashrun --crash-at N --when before|after --report F -- ARGS`:
runs `python -m archiver ARGS` with the crash points installed (N = 0 only counts them)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.reliability.crashpoints import install


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="crashrun")
    parser.add_argument("--crash-at", type=int, default=0)
    parser.add_argument("--when", choices=("before", "after"), default="before")
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--names", default="{}", help="JSON: host:port -> service name")
    parser.add_argument("--prefix", action="append", default=[])
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    install(
        crash_at=options.crash_at,
        when=options.when,
        report=options.report,
        names=json.loads(options.names),
        prefixes=tuple(options.prefix),
    )
    args = options.args[1:] if options.args[:1] == ["--"] else options.args
    if args[:1] == ["webhook"]:
        return _webhook(Path(args[1]))
    from archiver.__main__ import main as archiver

    return archiver(args)


def _webhook(delivery: Path) -> int:
    """One webhook delivery through the function's entry point, as the HTTP trigger calls it."""
    from archiver import entrypoints

    doc = json.loads(delivery.read_text())
    reply = entrypoints.zoom_webhook(doc["body"].encode(), doc["headers"])
    print(reply.status, reply.body.decode())
    return 0 if reply.status == 200 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
