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
    p.add_argument(
        "--failed",
        action="store_true",
        help="list every failed, partial and unmapped meeting with its date, topic and reason",
    )
    p.add_argument("--format", choices=("table", "json"), default="table", help="for --failed")
    p.set_defaults(handler=_status)

    p = subparsers.add_parser("log", help="the run log for a date range")
    p.add_argument("--since", help="first UTC day, yyyy-mm-dd (default: today)")
    p.add_argument("--until", help="last UTC day, yyyy-mm-dd (default: today)")
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
    imp.add_argument(
        "--no-lookup",
        action="store_true",
        help="do not ask Graph whether each mailbox exists (still checks INTERNAL_DOMAINS)",
    )
    imp.set_defaults(handler=_mappings_import)
    sub.add_parser("list", help="list the overrides").set_defaults(handler=_mappings_list)
    rm = sub.add_parser("remove", help="remove the overrides of these addresses")
    rm.add_argument("addresses", nargs="+", metavar="ADDRESS")
    rm.set_defaults(handler=_mappings_remove)

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
    from azure.core.exceptions import AzureError

    if isinstance(error, AzureError):  # only the storage SDKs raise these
        from archiver.adapters.storage import storage_problem

        return storage_problem(error, _deps().settings.storage)
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
    from archiver.operations.status import FAILED_COLUMNS, collect_status, failed_meetings

    if not args.failed:
        print(json.dumps(collect_status(_deps()), indent=2), file=out)
        return 0
    failed = failed_meetings(_deps())
    if args.format == "json":
        print(json.dumps(failed, indent=2), file=out)
        return 0
    rows = [[str(m[c]) for c in FAILED_COLUMNS] for m in failed]
    print_table(out, FAILED_COLUMNS, rows, wide=("reason",))
    print(f"{len(failed)} meeting(s) need attention", file=out)
    return 0


def _log(args: argparse.Namespace, out: TextIO) -> int:
    from archiver.operations.status import LOG_COLUMNS, log_csv, log_range

    since, until = log_range(args.since, args.until, _deps().clock().date(), prefix="--")
    entries = list(_deps().runlog.entries(since, until))
    if args.format == "csv":
        out.write(log_csv(entries))
        return 0
    rows = [[str(getattr(e, c)) for c in LOG_COLUMNS] for e in entries]
    print_table(out, LOG_COLUMNS, rows)
    return 0


def print_table(
    out: TextIO,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    wide: Sequence[str] = (),
) -> None:
    """A plain aligned text table; columns are cut at 40 characters except the `wide` ones
    (printed whole, last)."""
    widths = [min(40, max([len(h), *(len(r[i]) for r in rows)])) for i, h in enumerate(headers)]
    for row in [list(headers), *rows]:
        cells = [
            cell if headers[i] in wide else cell[:40].ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip(), file=out)


def _backfill(args: argparse.Namespace, out: TextIO) -> int:
    from archiver.steps.discovery import backfill

    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    if end < start:
        raise ValueError("--to must be on or after --from")
    seen = {"users": 0}

    def progress(done: int, total: int, counts: Any) -> None:
        seen["users"] = total
        _progress(out, done, total, counts)

    counts = backfill(_deps(), start, end, progress)
    print(file=out)
    print(json.dumps({**seen, **counts}), file=out)
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
    from archiver.core.mapping import domain_of
    from archiver.setting_rules import is_email

    deps = _deps()
    internal = deps.settings.internal_domains
    directory = deps.directory
    pairs: list[tuple[str, str]] = []
    lines: dict[str, int] = {}
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
            if internal and domain_of(mailbox) not in internal:
                raise ValueError(
                    f"{args.file}:{line}: mailbox {mailbox!r} is not in INTERNAL_DOMAINS "
                    f"({', '.join(internal)}): a mapping must point at one of your mailboxes"
                )
            pairs.append((address, mailbox))
            lines.setdefault(mailbox.lower(), line)
    if not args.no_lookup:
        for mailbox, line in lines.items():
            try:
                found = directory.lookup(mailbox)
            except ArchiverError as error:
                raise ValueError(
                    f"cannot ask Graph whether {mailbox} exists: {error} (or pass --no-lookup "
                    "to import without asking)"
                ) from None
            if found is None:
                raise ValueError(
                    f"{args.file}:{line}: mailbox {mailbox!r} is not a mailbox in this tenant "
                    "(Graph found no user with that address)"
                )
    for address, mailbox in pairs:  # all rows validated first: a bad file imports nothing
        directory.put_override(address, mailbox)
    print(f"imported {len(pairs)} mapping(s)", file=out)
    return 0


def _mappings_remove(args: argparse.Namespace, out: TextIO) -> int:
    directory = _deps().directory
    unknown = [a for a in args.addresses if not directory.remove_override(a)]
    removed = len(args.addresses) - len(unknown)
    print(f"removed {removed} mapping(s)", file=out)
    if unknown:
        raise ValueError(f"no mapping for {', '.join(unknown)} (see `mappings list`)")
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
    for result in results:
        print(f"{result.outcome:<4}  {result.name}: {result.detail}", file=out)
    return 0 if all(result.ok for result in results) else 1
