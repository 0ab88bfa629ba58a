"""Admin commands (`python -m archiver <command>`), run against the configured storage.

Expected failures print one line starting with "error:" and exit non-zero; never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from archiver.errors import ArchiverError

Handler = Callable[[argparse.Namespace, TextIO], int]


def register(subparsers: Any) -> None:
    """Add the admin commands to the `python -m archiver` parser."""
    p = subparsers.add_parser("status", help="pipeline status as JSON")
    p.set_defaults(handler=_status)

    p = subparsers.add_parser("log", help="the run log for a date range")
    p.add_argument("--since", required=True, help="first UTC day, yyyy-mm-dd")
    p.add_argument("--until", help="last UTC day, yyyy-mm-dd (default: --since)")
    p.add_argument("--format", choices=("csv", "table"), default="csv")
    p.set_defaults(handler=_log)

    p = subparsers.add_parser("backfill", help="claim and enqueue meetings of a past date range")
    p.add_argument("--from", dest="start", required=True, help="first UTC day, yyyy-mm-dd")
    p.add_argument("--to", dest="end", required=True, help="last UTC day, yyyy-mm-dd")
    p.set_defaults(handler=_backfill)

    p = subparsers.add_parser("replay", help="move poison messages back, retry failed meetings")
    p.add_argument("--queue", help="only this queue's poison messages (e.g. meetings)")
    p.add_argument("--meeting", help="only this meeting UUID")
    p.set_defaults(handler=_replay)

    p = subparsers.add_parser("mappings", help="address -> mailbox overrides")
    sub = p.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="import a CSV with columns address,mailbox")
    imp.add_argument("file", type=Path)
    imp.set_defaults(handler=_mappings_import)
    sub.add_parser("list", help="list the overrides").set_defaults(handler=_mappings_list)

    p = subparsers.add_parser("export-eml", help="render a meeting to an .eml file for review")
    p.add_argument("--meeting", required=True, help="meeting UUID")
    p.add_argument("--out", required=True, type=Path, help="output folder")
    p.add_argument(
        "--for",
        dest="viewer",
        metavar="ADDRESS",
        help="render what this participant's mailbox receives (default: the complete record)",
    )
    p.set_defaults(handler=_export)

    p = subparsers.add_parser("check", help="validate settings and reach Zoom and Graph")
    p.add_argument("--mailbox", help="test mailbox (default: FALLBACK_MAILBOX)")
    p.set_defaults(handler=_check)


def run(args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run the chosen command, turning expected failures into one line and exit code 1
    (`--debug` shows the traceback too)."""
    from azure.core.exceptions import AzureError

    handler: Handler = args.handler
    try:
        return handler(args, out)
    except (ArchiverError, ValueError, OSError, AzureError) as error:
        if getattr(args, "debug", False):
            traceback.print_exc(file=err)
        print(f"error: {_one_line(error)}", file=err)
        return 1


def _one_line(error: BaseException) -> str:
    from azure.core.exceptions import AzureError, HttpResponseError

    if isinstance(error, AzureError) and not isinstance(error, HttpResponseError):
        from archiver.adapters.storage import endpoints
        from archiver.bootstrap import environment_settings

        try:
            where = endpoints(environment_settings().storage)
        except ArchiverError:
            where = "AzureWebJobsStorage"
        return (
            f"storage unreachable ({type(error).__name__}) at {where}: check that it is running "
            "(locally: Azurite) and that AzureWebJobsStorage points at it"
        )
    if isinstance(error, HttpResponseError):
        return f"storage refused the request: {error.status_code} {error.reason or ''}".strip()
    return " ".join(str(error).split())


@functools.cache
def _deps() -> Any:
    from archiver.bootstrap import from_environment

    # An admin needs only the settings of the services a command calls (replay: storage).
    return from_environment(partial=True)


def _day(value: str | None, name: str) -> date:
    from archiver.operations.status import parse_day

    if value is None:
        raise ValueError(f"{name} is required")
    return parse_day(value, name)


def _status(args: argparse.Namespace, out: TextIO) -> int:
    from archiver.operations.status import collect_status

    print(json.dumps(collect_status(_deps()), indent=2), file=out)
    return 0


def _log(args: argparse.Namespace, out: TextIO) -> int:
    from archiver.operations.status import LOG_COLUMNS, log_csv

    since = _day(args.since, "--since")
    until = _day(args.until or args.since, "--until")
    if until < since:
        raise ValueError("--until must be on or after --since")
    entries = list(_deps().runlog.entries(since, until))
    if args.format == "csv":
        out.write(log_csv(entries))
        return 0
    rows = [[str(getattr(e, c)) for c in LOG_COLUMNS] for e in entries]
    print_table(out, LOG_COLUMNS, rows)
    return 0


def print_table(out: TextIO, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain aligned text table."""
    widths = [min(40, max([len(h), *(len(r[i]) for r in rows)])) for i, h in enumerate(headers)]
    for row in [list(headers), *rows]:
        print("  ".join(cell[:40].ljust(w) for cell, w in zip(row, widths, strict=True)), file=out)


def _backfill(args: argparse.Namespace, out: TextIO) -> int:
    from collections import Counter

    from archiver.steps.discovery import consider, list_all_users

    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    if end < start:
        raise ValueError("--to must be on or after --from")
    deps = _deps()
    users = [str(user["id"]) for user in list_all_users(deps)]
    counts: Counter[str] = Counter()
    for done, user_id in enumerate(users, start=1):
        for recording in deps.zoom.list_recordings(user_id, start=start, end=end):
            counts[consider(deps, recording, source="backfill")] += 1
        _progress(out, done, len(users), counts)
    print(file=out)
    print(json.dumps({"users": len(users), **counts}), file=out)
    return 0


def _progress(out: TextIO, done: int, total: int, counts: Any) -> None:
    filled = int(30 * done / max(total, 1))
    bar = "#" * filled + "-" * (30 - filled)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    out.write(f"\r[{bar}] {done}/{total} users  {summary}")
    out.flush()


def _replay(args: argparse.Namespace, out: TextIO) -> int:
    from archiver.steps.replay import replay

    result = replay(_deps(), queue=args.queue, meeting_uuid=args.meeting)
    print(json.dumps(result), file=out)
    return 0


def _mappings_import(args: argparse.Namespace, out: TextIO) -> int:
    from archiver.setting_rules import is_email

    directory = _deps().directory
    pairs: list[tuple[str, str]] = []
    with args.file.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or {"address", "mailbox"} - set(reader.fieldnames):
            raise ValueError(f"{args.file}: the header must name the columns address,mailbox")
        for line, row in enumerate(reader, start=2):
            address, mailbox = (
                (row.get("address") or "").strip(),
                (row.get("mailbox") or "").strip(),
            )
            for name, value in (("address", address), ("mailbox", mailbox)):
                if not is_email(value):
                    raise ValueError(
                        f"{args.file}:{line}: {name} {value!r} is not an email address"
                    )
            pairs.append((address, mailbox))
    for address, mailbox in pairs:  # all rows validated first: a bad file imports nothing
        directory.put_override(address, mailbox)
    print(f"imported {len(pairs)} mapping(s)", file=out)
    return 0


def _mappings_list(args: argparse.Namespace, out: TextIO) -> int:
    rows = sorted(_deps().directory.overrides().items())
    print_table(out, ("address", "mailbox"), [list(r) for r in rows])
    return 0


def _export(args: argparse.Namespace, out: TextIO) -> int:
    from archiver.operations.export import export_eml

    paths = export_eml(_deps(), args.meeting, args.out, viewer=args.viewer)
    for path in paths:
        print(path, file=out)
    return 0


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from archiver.operations.checks import run_checks

    results = run_checks(args.mailbox)
    for name, ok, detail in results:
        print(f"{'ok  ' if ok else 'FAIL'}  {name}: {detail}", file=out)
    return 0 if all(ok for _, ok, _ in results) else 1
