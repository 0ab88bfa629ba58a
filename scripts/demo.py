"""`make demo`: the pipeline on Azurite + simulated Zoom and Microsoft 365, checked end to end.

Starts Azurite and the simulators, seeds a corpus, runs `python -m archiver run --once` through the
local Functions host (twice: the second run must archive nothing new), prints a summary, writes a
few items as .eml and the run log as CSV under demo-output/, and verifies every expected
(meeting, mailbox) item exists exactly once with the right attachments and hashes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts import demo_content  # noqa: E402
from tests.support.azurite import Azurite  # noqa: E402
from tests.support.simulators import Simulators  # noqa: E402

OUT = ROOT / "demo-output"
WORK = ROOT / ".local" / "demo"
INTERNAL = "contoso.com"
FALLBACK = f"zoom-archive@{INTERNAL}"
COMPLIANCE = f"compliance@{INTERNAL}"
OVERRIDES: dict[str, str] = {}  # address -> mailbox, as imported with `mappings import`
PARTNER = "partner@fabrikam.com"
# The demo shows warnings and the run summary; `--log-level info` shows every invocation and step.
RUN = ("run", "--once", "--log-level", "warning")


def main() -> int:
    """Run the demo; 0 only if every check passed."""
    shutil.rmtree(OUT, ignore_errors=True)
    shutil.rmtree(WORK, ignore_errors=True)
    OUT.mkdir(parents=True)
    WORK.mkdir(parents=True)
    with Azurite(WORK / "azurite") as azurite, Simulators(WORK / "sim") as sims:
        corpus = seed(sims)
        # The supervision team's mailbox: it receives the complete record of every meeting.
        sims.control("POST", "/m365/mailboxes", {"address": COMPLIANCE})
        sims.control("PATCH", f"/m365/mailboxes/{COMPLIANCE}", {"max_message_bytes": 150 << 20})
        partner_mailbox = corpus["mailboxes"][0]
        OVERRIDES[PARTNER] = partner_mailbox.lower()
        env = environment(azurite.connection_string, sims)
        settings_file = WORK / "local.settings.json"
        settings_file.write_text(json.dumps({"IsEncrypted": False, "Values": env}, indent=2))
        mappings = WORK / "mappings.csv"
        mappings.write_text(f"address,mailbox\n{PARTNER},{partner_mailbox}\n")
        archiver(env, "mappings", "import", str(mappings))
        print("\n== first run: python -m archiver run --once (warnings and the summary) ==")
        first = archiver(env, *RUN, "--settings", str(settings_file), check=False)
        problems = [] if first == 0 else [f"first run exited {first}"]
        resolve = resolver(partner_mailbox, {m.lower() for m in corpus["mailboxes"]})
        expected = expectations(corpus, resolve)
        found = mailbox_items(sims, expected)
        problems += verify(expected, found, corpus, sims)
        problems += demo_content.check(
            corpus["content_sources"],
            found,
            resolve=resolve,
            compliance=COMPLIANCE,
            read=reader(sims),
            uuid_of=item_uuid,
            in_account=lambda address: address.lower().endswith("@" + INTERNAL),
        )
        status = admin_output(env, "status")
        problems += check_status(status, corpus)
        summary(corpus, expected, found, status)
        problems += show_failed(env, corpus)
        export(env, corpus)
        print("\n== second run: nothing new should be archived ==")
        second = archiver(env, *RUN, "--settings", str(settings_file), check=False)
        again = mailbox_items(sims, expected)
        if second != 0:
            problems.append(f"second run exited {second}")
        if sum(len(v) for v in again.values()) != sum(len(v) for v in found.values()):
            problems.append("the second run created items")
    print()
    if problems:
        print(f"DEMO FAILED: {len(problems)} problem(s)")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    items = sum(len(v) for v in expected.values())
    print(
        f"DEMO OK: {items} expected items present exactly once, with the right attachments; "
        "no direct message or private group line outside its members' mailboxes and the "
        "compliance mailbox; each participant's own audio only in their own; the AI summary "
        "only in its host's and the compliance mailbox's; "
        "the meeting with a refused file is named in status and status --failed, with why."
    )
    return 0


def seed(sims: Simulators) -> dict[str, Any]:
    print("== seeding the simulators ==")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "seed",
            "--control",
            sims.control_url,
            "--users",
            "20",
            "--meetings",
            "60",
            "--internal-domain",
            INTERNAL,
            "--external-domain",
            "fabrikam.com",
            "--content-sources",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    lines = result.stdout.strip().splitlines()
    print("\n".join(lines[:-1][-25:]))
    corpus: dict[str, Any] = json.loads(lines[-1])
    (WORK / "corpus.json").write_text(json.dumps(corpus, indent=1))  # what was seeded, to look at
    return corpus


def environment(connection_string: str, sims: Simulators) -> dict[str, str]:
    from archiver.settings import DEFAULTS

    env = {
        **{name: value for name, value in DEFAULTS.items() if value},
        "FUNCTIONS_WORKER_RUNTIME": "python",
        "AzureWebJobsStorage": connection_string,
        **sims.env(),
        "INTERNAL_DOMAINS": INTERNAL,
        "FALLBACK_MAILBOX": FALLBACK,
        "COMPLIANCE_MAILBOX": COMPLIANCE,
        "ZOOM_DOWNLOAD_HOSTS": "127.0.0.1,localhost",
        "INITIAL_LOOKBACK_DAYS": "30",
        "LOCAL_FUNCTION_KEY": "demo-key",
    }
    return env


def archiver(env: dict[str, str], *args: str, check: bool = True) -> int:
    process = subprocess.run(
        [sys.executable, "-m", "archiver", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        check=False,
    )
    if check and process.returncode != 0:
        raise SystemExit(f"python -m archiver {' '.join(args)} exited {process.returncode}")
    return process.returncode


def resolver(partner_mailbox: str, mailboxes: set[str]) -> demo_content.Resolve:
    """The mailbox an address is archived to: the mapped partner's, an internal address's own
    when it has a mailbox, otherwise none (external people are not recipients)."""

    def resolve(address: str) -> str | None:
        address = address.lower()
        if address == PARTNER:
            return partner_mailbox.lower()
        if address.endswith("@" + INTERNAL) and address in mailboxes:
            return address
        return None

    return resolve


def expectations(corpus: dict[str, Any], resolve: demo_content.Resolve) -> dict[str, set[str]]:
    """mailbox -> meeting UUIDs that must be there, computed from the corpus by the rules.

    Recipients are the host and admitted participants (participant_emails lists only those);
    people who only waited are not; the compliance mailbox gets every archived meeting.
    """
    expected: dict[str, set[str]] = {}
    for meeting in corpus["meetings"]:
        if any(f.get("status") == "processing" for f in meeting["files"]):
            continue  # still processing: archived later, not now
        addresses = [meeting["host_email"], *meeting["participant_emails"]]
        targets = {m for m in (resolve(a) for a in addresses if a) if m is not None}
        for mailbox in targets or {FALLBACK}:
            expected.setdefault(mailbox, set()).add(meeting["uuid"])
        expected.setdefault(COMPLIANCE, set()).add(meeting["uuid"])
    content = demo_content.expectations(corpus["content_sources"], resolve, COMPLIANCE)
    for mailbox, uuids in content.items():
        expected.setdefault(mailbox, set()).update(uuids)
    return expected


def reader(sims: Simulators) -> demo_content.Read:
    """An item's body, its texts (body first, then its text attachments) and its SHA-256s."""

    def read(mailbox: str, item: dict[str, Any]) -> tuple[str, list[str], set[str]]:
        body = str((item.get("body") or {}).get("content", ""))
        texts = [body] + [
            sims.control_bytes(
                "GET",
                f"/m365/mailboxes/{mailbox}/items/{item['id']}/attachments/{a['id']}/content",
            ).decode("utf-8", "replace")
            for a in item.get("attachments", [])
            if a.get("contentType", "").startswith(("text/", "application/json"))
        ]
        return body, texts, {a.get("sha256") for a in item.get("attachments", [])}

    return read


def mailbox_items(
    sims: Simulators, expected: dict[str, set[str]]
) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for mailbox in sorted(set(expected) | {FALLBACK, COMPLIANCE}):
        items = sims.control("GET", f"/m365/mailboxes/{mailbox}/items?folder=Zoom%20Meetings")
        found[mailbox] = list(items.get("items", items) if isinstance(items, dict) else items)
    return found


def item_uuid(item: dict[str, Any]) -> str | None:
    for header in item.get("internetMessageHeaders") or []:
        if header.get("name", "").lower() == "x-zoom-meeting-uuid":
            return str(header.get("value"))
    return None


def verify(
    expected: dict[str, set[str]],
    found: dict[str, list[dict[str, Any]]],
    corpus: dict[str, Any],
    sims: Simulators,
) -> list[str]:
    """What must be in each mailbox, exactly once, and what must not be there."""
    problems: list[str] = []
    meetings = {m["uuid"]: m for m in corpus["meetings"]}
    for mailbox, uuids in expected.items():
        counts = Counter(item_uuid(item) for item in found.get(mailbox, []))
        for uuid in uuids:
            if counts[uuid] != 1:
                problems.append(f"{mailbox}: meeting {uuid} present {counts[uuid]} times")
        for uuid in set(counts) - uuids:
            problems.append(f"{mailbox}: unexpected item for meeting {uuid}")
        for item in found.get(mailbox, []):
            meeting = meetings.get(item_uuid(item) or "")
            if meeting is not None:
                problems += check_item(mailbox, item, meeting, sims)
    return problems


def check_item(
    mailbox: str, item: dict[str, Any], meeting: dict[str, Any], sims: Simulators
) -> list[str]:
    """One item against its meeting: files, refused files, sizes and who may read which line."""
    where = f"{mailbox}: meeting {meeting['uuid']}"
    if item.get("isDraft"):
        return [f"{where} is a draft"]
    body, texts, _ = reader(sims)(mailbox, item)
    entitled = may_read_direct_messages(mailbox, meeting)
    problems = [f"{where}: {p}" for p in check_files(item, meeting, body, entitled=entitled)]
    for line in (c for c in meeting["chat"] if c["direct"]):
        if entitled and line["text"] not in body:
            problems.append(f"{where}: a direct message of this mailbox's owner is missing")
        if not entitled and any(line["text"] in text for text in texts):
            problems.append(f"{where}: LEAK: another pair's direct message is in this item")
    return problems


def check_files(
    item: dict[str, Any], meeting: dict[str, Any], body: str, *, entitled: bool
) -> list[str]:
    """Every file Zoom completed is attached (or named as refused), and no raw file leaks."""
    got = {a.get("sha256") for a in item.get("attachments", [])}
    problems = []
    secrets = any(c["direct"] for c in meeting["chat"])
    for f in (f for f in meeting["files"] if f.get("status") == "completed"):
        if not f["trusted_url"]:
            if f["sha256"] in got:
                problems.append("a file from an untrusted host was archived")
            if "not one of ZOOM_DOWNLOAD_HOSTS" not in body:
                problems.append("the item does not say why a file is missing")
        elif f["file_type"] == "CHAT" and secrets and not entitled:
            if f["sha256"] in got:
                problems.append("the raw chat with others' direct messages is attached")
        elif f["sha256"] not in got:
            problems.append(f"lacks the {f['file_type']} file (SHA-256 {f['sha256'][:12]})")
        elif f["listed_size"] not in (None, f["size"]) and "Zoom listed" not in body:
            problems.append("the item does not record Zoom's listed size")
    return problems


def may_read_direct_messages(mailbox: str, meeting: dict[str, Any]) -> bool:
    """The compliance mailbox, or a mailbox of one of the direct messages' two people.

    A mapping override makes its mailbox stand in for the mapped address (the partner's
    direct messages go where the partner's meetings go).
    """
    if mailbox == COMPLIANCE:
        return True
    partner = OVERRIDES.get(PARTNER, PARTNER)
    names = {
        p["name"]: partner
        if (p.get("email") or "").lower() == PARTNER
        else (p.get("email") or "").lower()
        for p in meeting["participants"]
    }
    parties = {
        names.get(name, "")
        for line in meeting["chat"]
        if line["direct"]
        for name in (line["sender"], line["recipient"])
    }
    return mailbox in parties


def admin_output(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m archiver ARGS`, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "archiver", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def check_status(answer: subprocess.CompletedProcess[str], corpus: dict[str, Any]) -> list[str]:
    """`status` names each meeting that lacks a file, with the reason."""
    try:
        problems = {p["uuid"]: p for p in json.loads(answer.stdout)["problems"]}
    except (ValueError, KeyError):
        return [f"status did not answer JSON with problems: {answer.stderr[-300:]}"]
    missing = []
    for meeting in corpus["meetings"]:
        if any(not f["trusted_url"] for f in meeting["files"]):
            found = problems.get(meeting["uuid"])
            if found is None or found["state"] != "partial":
                missing.append(f"status does not list meeting {meeting['uuid']} as partial")
            elif "not one of ZOOM_DOWNLOAD_HOSTS" not in " ".join(found["missing_files"]):
                missing.append(f"status does not say why meeting {meeting['uuid']} is partial")
    return missing


def show_failed(env: dict[str, str], corpus: dict[str, Any]) -> list[str]:
    """`status --failed` as an admin reads it; it must name each meeting that lacks a file,
    with the reason."""
    print("\n== python -m archiver status --failed ==")
    table = admin_output(env, "status", "--failed")
    print(table.stdout.strip() or table.stderr.strip())
    try:
        listed = {
            m["uuid"]: m
            for m in json.loads(admin_output(env, "status", "--failed", "--format", "json").stdout)
        }
    except ValueError:
        return ["status --failed --format json did not answer JSON"]
    problems = []
    for meeting in corpus["meetings"]:
        if any(not f["trusted_url"] for f in meeting["files"]):
            found = listed.get(meeting["uuid"])
            if found is None:
                problems.append(f"status --failed does not name meeting {meeting['uuid']}")
            elif "not one of ZOOM_DOWNLOAD_HOSTS" not in found["reason"]:
                problems.append(f"status --failed gives no reason for {meeting['uuid']}")
            elif meeting["topic"][:40] not in table.stdout:
                problems.append(f"status --failed does not show the topic of {meeting['uuid']}")
    return problems


def summary(
    corpus: dict[str, Any],
    expected: dict[str, set[str]],
    found: dict[str, list[dict[str, Any]]],
    status: subprocess.CompletedProcess[str],
) -> None:
    print("\n== archived items per mailbox ==")
    print(f"{'mailbox':40} {'expected':>8} {'found':>6} {'MB':>8}")
    for mailbox in sorted(found):
        items = found[mailbox]
        size = sum(a.get("size", 0) for i in items for a in i.get("attachments", []))
        print(
            f"{mailbox:40} {len(expected.get(mailbox, ())):>8} {len(items):>6} {size / 1e6:>8.1f}"
        )
    pending = [
        m for m in corpus["meetings"] if any(f.get("status") != "completed" for f in m["files"])
    ]
    print(
        f"\nmeetings: {len(corpus['meetings'])}; waiting for Zoom to finish processing: "
        f"{len(pending)} (archived by a later run)"
    )
    print("\n== python -m archiver status ==")
    print(status.stdout.strip() or status.stderr.strip())


def export(env: dict[str, str], corpus: dict[str, Any]) -> None:
    today = datetime.now(UTC).date()
    log = admin_output(env, "log", "--since", str(today - timedelta(days=1)), "--until", str(today))
    (OUT / "run-log.csv").write_text(log.stdout)
    done = [
        m for m in corpus["meetings"] if all(f.get("status") == "completed" for f in m["files"])
    ]
    for meeting in done[:3]:
        archiver(
            env, "export-eml", "--meeting", meeting["uuid"], "--out", str(OUT / "eml"), check=False
        )
    print(f"\nwrote {OUT / 'run-log.csv'} and .eml files under {OUT / 'eml'}")


if __name__ == "__main__":
    raise SystemExit(main())
