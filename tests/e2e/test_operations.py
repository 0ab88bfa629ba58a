"""Near-real-time and operations: webhooks through the host, status, log and the admin CLI."""

from __future__ import annotations

import json
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from archiver import entrypoints
from archiver.host.runner import Host
from tests.e2e.support import all_items, cli, run, seed, settings

pytestmark = pytest.mark.e2e


def test_webhook_and_polling_for_the_same_meeting_make_one_item_per_mailbox(
    azurite, simulators, monkeypatch, tmp_path
) -> None:
    corpus = seed(simulators, meetings=3, seed=21)
    values = settings(azurite, simulators)
    run(values, monkeypatch, tmp_path)  # first polling run archives everything
    entrypoints._deps = None
    host = Host("function_app", values, tmp_path / "host.json", port=0, host_id="hook")
    host.start()
    try:
        url = f"http://127.0.0.1:{host.http_port}/api/zoom/webhook"
        simulators.control("DELETE", "/counters")
        for meeting in corpus["meetings"]:
            answer = simulators.control(
                "POST",
                "/zoom/webhooks/send",
                {"url": url, "event": "recording.completed", "meeting_uuid": meeting["uuid"]},
            )
            assert answer["status"] == 200
        bad = simulators.control(
            "POST",
            "/zoom/webhooks/send",
            {
                "url": url,
                "event": "recording.completed",
                "meeting_uuid": corpus["meetings"][0]["uuid"],
                "secret": "wrong",
            },
        )
        assert (bad["status"], bad["body"]) == (401, "")
        # Zoom's 3-second window: the request path only enqueues, it never downloads.
        downloads = simulators.control("GET", "/counters").get("zoom-files", {})
        assert downloads == {}
        check = simulators.control(
            "POST", "/zoom/webhooks/send", {"url": url, "event": "endpoint.url_validation"}
        )
        assert check["validated"] is True
        time.sleep(2)
    finally:
        host.stop(grace=5)
    run(values, monkeypatch, tmp_path)
    for mailbox, uuids in all_items(simulators, corpus).items():
        assert all(n == 1 for n in Counter(uuids).values()), mailbox


def test_status_and_log_report_a_run_with_a_failing_mailbox(
    azurite, simulators, monkeypatch, tmp_path
) -> None:
    corpus = seed(simulators, meetings=2, seed=22)
    victim = corpus["meetings"][0]["host_email"]
    # The victim's mailbox is outside the app's Exchange RBAC scope: Graph answers 403.
    everyone = [m["address"] for m in simulators.control("GET", "/m365/mailboxes")["mailboxes"]]
    scope = [address for address in everyone if address != victim]
    simulators.control("PATCH", "/m365/settings", {"app_mailbox_scope": scope})
    values = settings(azurite, simulators, MAX_DELIVERY_ATTEMPTS="1")
    run(values, monkeypatch, tmp_path)
    simulators.control("PATCH", "/m365/settings", {"app_mailbox_scope": None})
    status = json.loads(cli(values, "status").stdout)
    assert status["meetings"]["partial"] >= 1
    assert status["mailbox_failures"].get(victim, 0) >= 1
    assert status["last_discovery"]["state"] == "ok"
    assert status["last_discovery"]["errors"] == []
    assert status["last_discovery"]["counts"]["enqueued"] >= 1
    today = time.strftime("%Y-%m-%d", time.gmtime())
    log = cli(values, "log", "--since", today, "--format", "csv").stdout.splitlines()
    assert log[0] == "time,meeting_id,uuid,topic,mailbox,outcome,bytes,error"
    assert any(
        ",failed," in row and victim in row and "Exchange RBAC for Applications" in row
        for row in log[1:]
    )
    assert any(",archived," in row for row in log[1:])
    # Staging outcomes are the meeting's (no mailbox), with the bytes staged.
    assert sum(",,staged," in row for row in log[1:]) == len(corpus["meetings"])
    # --since alone runs through today; without it, today.
    yesterday = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))
    ranged = cli(values, "log", "--since", yesterday).stdout.splitlines()
    assert ranged == log
    assert cli(values, "log").stdout.splitlines() == log
    # status --failed names the meeting, its date, topic and reason, and the mailbox that failed.
    failed = cli(values, "status", "--failed")
    assert failed.returncode == 0, failed.stderr
    meeting = next(m for m in corpus["meetings"] if m["host_email"] == victim)
    row = next(line for line in failed.stdout.splitlines() if meeting["topic"][:30] in line)
    assert " partial " in row
    assert meeting["start_time"][:10] in row
    assert f"{victim}: " in row
    assert "Exchange RBAC for Applications" in row
    listed = json.loads(cli(values, "status", "--failed", "--format", "json").stdout)
    assert [m["topic"] for m in listed] == [meeting["topic"]]
    assert listed[0]["failed_mailboxes"][0].startswith(f"{victim}: ")
    host = Host("function_app", values, tmp_path / "host.json", port=0, host_id="ops")
    entrypoints._deps = None
    host.start()
    try:
        base = f"http://127.0.0.1:{host.http_port}/api"
        with urllib.request.urlopen(f"{base}/status?code=e2e-key", timeout=30) as answer:
            assert json.loads(answer.read())["meetings"]["partial"] >= 1
        with urllib.request.urlopen(f"{base}/log?since={today}&code=e2e-key", timeout=30) as answer:
            assert answer.headers["Content-Type"].startswith("text/csv")
        with urllib.request.urlopen(f"{base}/status?failed=1&code=e2e-key", timeout=30) as answer:
            assert json.loads(answer.read())["failed"] == listed
        check = f"{base}/check?mailbox={meeting['host_email']}&code=e2e-key"
        with urllib.request.urlopen(check, timeout=60) as answer:
            checked = json.loads(answer.read())
        assert checked["ok"] is True, checked
        assert [c["check"] for c in checked["checks"]][-1] == "graph folder"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/status", timeout=30)
        assert refused.value.code == 401
    finally:
        host.stop(grace=5)


def test_admin_commands_work_and_bad_arguments_fail_in_one_line(
    azurite, simulators, monkeypatch, tmp_path
) -> None:
    corpus = seed(simulators, meetings=2, seed=23)
    values = settings(azurite, simulators)
    mappings = tmp_path / "map.csv"
    mappings.write_text("address,mailbox\npartner@fabrikam.com,ann0@contoso.com\n")
    assert cli(values, "mappings", "import", str(mappings)).returncode == 0
    assert "partner@fabrikam.com" in cli(values, "mappings", "list").stdout
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("address,mailbox\nnot-an-email,ann0@contoso.com\n")
    result = cli(values, "mappings", "import", str(bad_csv))
    assert (result.returncode, result.stderr.count("\n")) == (1, 1)
    assert "bad.csv:2: address 'not-an-email' is not an email address" in result.stderr
    # A mapping must point at one of our mailboxes: an internal domain, and a real mailbox.
    for target, message in [
        ("someone@fabrikam.com", "mailbox 'someone@fabrikam.com' is not in INTERNAL_DOMAINS"),
        ("nobody@contoso.com", "mailbox 'nobody@contoso.com' is not a mailbox in this tenant"),
    ]:
        bad_csv.write_text(f"address,mailbox\npartner2@fabrikam.com,{target}\n")
        result = cli(values, "mappings", "import", str(bad_csv))
        assert result.returncode == 1
        assert message in result.stderr
    assert "partner2@fabrikam.com" not in cli(values, "mappings", "list").stdout
    # Removed, a mapping is gone; removing one that is not there says so.
    bad_csv.write_text("address,mailbox\npartner2@fabrikam.com,ann0@contoso.com\n")
    assert cli(values, "mappings", "import", str(bad_csv)).returncode == 0
    removed = cli(values, "mappings", "remove", "partner2@fabrikam.com")
    assert (removed.returncode, removed.stdout.strip()) == (0, "removed 1 mapping(s)")
    assert "partner2@fabrikam.com" not in cli(values, "mappings", "list").stdout
    again = cli(values, "mappings", "remove", "partner2@fabrikam.com")
    assert again.returncode == 1
    assert "no mapping for partner2@fabrikam.com" in again.stderr
    backfill = cli(values, "backfill", "--from", "2026-01-01", "--to", time.strftime("%Y-%m-%d"))
    assert backfill.returncode == 0
    assert json.loads(backfill.stdout.splitlines()[-1])["enqueued"] == len(
        [m for m in corpus["meetings"] if all(f["status"] == "completed" for f in m["files"])]
    )
    again = cli(values, "backfill", "--from", "2026-01-01", "--to", time.strftime("%Y-%m-%d"))
    assert json.loads(again.stdout.splitlines()[-1]).get("enqueued", 0) == 0
    out = tmp_path / "eml"
    exported = cli(
        values, "export-eml", "--meeting", corpus["meetings"][0]["uuid"], "--out", str(out)
    )
    assert exported.returncode == 0
    assert Path(exported.stdout.splitlines()[0]).read_bytes().startswith(b"Subject: Zoom meeting:")
    assert cli(values, "replay").returncode == 0
    check = cli(values, "check", "--mailbox", "ann0@contoso.com")
    assert check.returncode == 0, check.stdout
    assert "ok    graph permissions: User.Read.All consented" in check.stdout
    # Without the directory permission, check names it before any meeting is lost to it.
    simulators.control("PATCH", "/m365/settings", {"app_roles": []})
    check = cli(values, "check", "--mailbox", "ann0@contoso.com")
    simulators.control("PATCH", "/m365/settings", {"app_roles": ["User.Read.All"]})
    assert check.returncode == 1
    assert "FAIL  graph permissions: the Graph app lacks User.Read.All" in check.stdout
    for args, message in [
        (("log", "--since", "yesterday"), "--since must be a date"),
        (("backfill", "--from", "2026-02-01", "--to", "2026-01-01"), "--to must be"),
    ]:
        result = cli(values, *args)
        assert result.returncode == 1
        assert result.stderr.startswith("error: ")
        assert message in result.stderr
        assert "Traceback" not in result.stderr
    broken = cli({**values, "GRAPH_CLIENT_ID": "not-a-guid"}, "status")
    assert (broken.returncode, broken.stderr.strip()) == (
        1,
        "error: GRAPH_CLIENT_ID must be a GUID; got 'not-a-guid'",
    )
