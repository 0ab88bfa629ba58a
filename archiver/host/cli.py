"""`python -m archiver host` and `python -m archiver run --once`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any


def load_settings(path: Path | None) -> dict[str, str]:
    """local.settings.json Values merged under the environment (the environment wins)."""
    values: dict[str, str] = {}
    candidate = path or Path("local.settings.json")
    if path is not None and not path.exists():
        raise FileNotFoundError(f"settings file {path} does not exist")
    if candidate.exists():
        doc = json.loads(candidate.read_text())
        values = {k: str(v) for k, v in (doc.get("Values") or {}).items()}
    for name, value in values.items():
        os.environ.setdefault(name, value)
    return {**values, **os.environ}


def register(subparsers: Any) -> None:
    """Add `host` and `run` to the CLI."""
    for name, help_text in (
        ("host", "run the function app locally until Ctrl-C"),
        ("run", "run one discovery cycle and drain the queues"),
    ):
        p = subparsers.add_parser(name, help=help_text)
        p.add_argument("--settings", type=Path, help="local.settings.json to load")
        p.add_argument("--app", default="function_app", help="module holding the FunctionApp")
        p.add_argument("--host-json", type=Path, default=Path("host.json"))
        p.add_argument(
            "--log-level",
            default="info",
            choices=("debug", "info", "warning", "error"),
            help="console log level (default info: every invocation and step)",
        )
        if name == "host":
            p.add_argument("--port", type=int, default=7071)
            p.set_defaults(handler=_host)
        else:
            p.add_argument("--once", action="store_true", required=True)
            p.add_argument("--timeout", type=float, default=900)
            p.set_defaults(handler=_run_once)


def _make(args: argparse.Namespace, port: int = 7071) -> Any:
    from archiver.host.runner import Host

    handler = logging.StreamHandler()
    handler.setFormatter(ConsoleFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=args.log_level.upper(), handlers=[handler])
    for noisy in ("azure", "urllib3", "msal"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = load_settings(args.settings)
    sys.path.insert(0, os.getcwd())
    return Host(args.app, settings, args.host_json, port=port)


class ConsoleFormatter(logging.Formatter):
    """Log lines with the structured fields Application Insights would show as dimensions."""

    _standard = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
        "message",
        "asctime",
        "taskName",
    }

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = {k: v for k, v in record.__dict__.items() if k not in self._standard}
        if not extra:
            return line
        return line + " " + " ".join(f"{k}={v}" for k, v in extra.items())


def _run_once(args: argparse.Namespace, out: Any) -> int:
    host = _make(args)
    summary = host.run_once(timeout=args.timeout)
    print(summary.table(), file=out)
    return 0 if summary.ok else 1


def _host(args: argparse.Namespace, out: Any) -> int:
    host = _make(args, port=args.port)
    stopped = threading.Event()

    def stop(signum: int, frame: object) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    host.start()
    print(
        f"local host running; HTTP on http://127.0.0.1:{host.http_port}/api/ ; Ctrl-C stops",
        file=out,
    )
    stopped.wait()
    host.stop(grace=30)
    print(host.summary.table(), file=out)
    return 0
