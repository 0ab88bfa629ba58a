"""Polls, Q&A, a survey and the AI Companion summary through staging and import (fake Zoom and
Graph, real Azurite): each mailbox's item shows what its owner may see, with Zoom's files."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from archiver.core.converter.interaction_files import raw_json
from archiver.core.keys import meeting_key
from archiver.errors import BudgetExhaustedError, InvalidInputError
from archiver.operations.status import collect_status
from archiver.steps.replay import replay
from archiver.steps.summaries import summary_arrived, summary_event
from tests.fakes import zoom_meeting
from tests.integration.pipeline_support import Pipeline, settings_for
from tests.interaction_bodies import summary, with_interactions

pytestmark = pytest.mark.integration
PEOPLE = (("Bob", "bob@contoso.com"), ("Carol", "carol@contoso.com"))
COMPLIANCE = "zoom-archive@contoso.com"


def pipeline_with(azurite: Any, uuid: str = "i1==", **settings: str) -> tuple[Pipeline, str]:
    pipeline = Pipeline(
        settings_for(azurite.connection_string, COMPLIANCE_MAILBOX=COMPLIANCE, **settings)
    )
    pipeline.graph.mailboxes.add("carol@contoso.com")
    found = pipeline.zoom.add(with_interactions(zoom_meeting(uuid, guests=PEOPLE)))
    return pipeline, found


def body(item: dict[str, Any]) -> str:
    return str(item["message"]["body"]["content"])


def names(item: dict[str, Any]) -> list[str]:
    return sorted(a["name"] for a in item["attachments"])


def test_the_host_and_compliance_items_show_and_attach_every_kind(azurite) -> None:
    pipeline, _uuid = pipeline_with(azurite)
    pipeline.run()
    for mailbox in ("ann@contoso.com", COMPLIANCE):
        [item] = pipeline.items(mailbox)
        html = body(item)
        for text in ("BOB-POLL-YES", "CAROL-POLL-NO", "ANON-POLL-MAYBE", "BOB-PRIVATE-QUESTION"):
            assert text in html
        assert "CAROL-SURVEY-MEH" in html
        assert "SUMMARY-V1" in html
        attached = names(item)
        for name in ("polls.json", "Q&A.json", "survey.json", "summary.json", "summary.md"):
            assert any(n.endswith(name) for n in attached), (name, attached)


def test_an_attendee_sees_only_their_own_answers_and_gets_no_raw_file_of_others(azurite) -> None:
    pipeline, _uuid = pipeline_with(azurite)
    pipeline.run()
    [item] = pipeline.items("bob@contoso.com")
    html = body(item)
    assert "BOB-POLL-YES" in html
    assert "BOB-SURVEY-GREAT" in html
    assert "BOB-PRIVATE-QUESTION" in html  # his own question, with its private answer
    hidden = ("CAROL-POLL-NO", "ANON-POLL-MAYBE", "CAROL-SURVEY-MEH", "CAROL-OPEN-QUESTION")
    for secret in (*hidden, "SUMMARY-V1"):
        assert secret not in html
    assert not [n for n in names(item) if n.endswith((".json", ".md"))]
    [carol] = pipeline.items("carol@contoso.com")
    assert "BOB-PRIVATE-QUESTION" not in body(carol)
    assert "BOB-POLL-YES" not in body(carol)
    assert "CAROL-OPEN-QUESTION" in body(carol)
    assert "ANON-QUESTION" in body(carol)


def test_the_attached_json_is_zoom_answer_with_the_sha256_the_item_lists(azurite) -> None:
    pipeline, uuid = pipeline_with(azurite)
    pipeline.run()
    [item] = pipeline.items("ann@contoso.com")
    [polls] = [a for a in item["attachments"] if a["name"].endswith("polls.json")]
    expected = hashlib.sha256(raw_json(pipeline.zoom.meetings[uuid]["polls"])).hexdigest()
    assert polls["sha256"] == expected
    assert expected in body(item)


def test_an_edited_summary_becomes_exactly_one_update_item_for_host_and_compliance(
    azurite,
) -> None:
    pipeline, uuid = pipeline_with(azurite)
    pipeline.run()
    edited = summary(uuid, modified="2026-11-21T09:00:00Z", text="SUMMARY-V2")
    pipeline.zoom.meetings[uuid]["summary"] = edited
    assert summary_event(pipeline.deps, "meeting.summary_updated", edited) == "update-enqueued"
    assert summary_arrived(pipeline.deps, edited, source="sweep") == "known"
    pipeline.stage_all()
    pipeline.import_all()
    for mailbox in ("ann@contoso.com", COMPLIANCE):
        _first, update = pipeline.items(mailbox)
        assert "SUMMARY-V2" in body(update)
        assert "POLL" not in body(update)
    assert len(pipeline.items("bob@contoso.com")) == 1


def test_the_same_summary_again_brings_nothing_new(azurite) -> None:
    pipeline, uuid = pipeline_with(azurite)
    pipeline.run()
    same = pipeline.zoom.meetings[uuid]["summary"]
    assert summary_event(pipeline.deps, "meeting.summary_completed", same) == "known"
    assert pipeline.queues.sent == []


def test_a_deleted_summary_removes_nothing(azurite) -> None:
    pipeline, uuid = pipeline_with(azurite)
    pipeline.run()
    gone = pipeline.zoom.meetings[uuid]["summary"]
    assert summary_event(pipeline.deps, "meeting.summary_deleted", gone) == "deleted-at-zoom"
    assert pipeline.queues.sent == []
    assert len(pipeline.items("ann@contoso.com")) == 1


def test_the_sweep_brings_a_summary_whose_webhook_was_missed(azurite) -> None:
    pipeline, uuid = pipeline_with(azurite)
    pipeline.run()
    pipeline.zoom.meetings[uuid]["summary"] = summary(uuid, modified="2026-11-22T09:00:00Z")
    result = pipeline.discover()
    assert result.counts["summary-update-enqueued"] == 1
    pipeline.stage_all()
    pipeline.import_all()
    assert len(pipeline.items("ann@contoso.com")) == 2


def spent(category: str = "heavy") -> BudgetExhaustedError:
    return BudgetExhaustedError("spent", category=category, retry_after=3600.0)


def test_heavy_budget_spent_q_and_a_from_medium_and_survey_named_not_fetched(azurite) -> None:
    pipeline, uuid = pipeline_with(azurite)
    bundle = pipeline.zoom.meetings[uuid]
    bundle["report_qa"], bundle["survey"] = spent(), spent()
    pipeline.run()
    [item] = pipeline.items("ann@contoso.com")
    html = body(item)
    assert "GET /past_meetings/{uuid}/qa" in html
    assert "budget" in html
    assert "The survey was not fetched" in html
    assert "BOB-PRIVATE-QUESTION" in html
    assert "BOB-SURVEY-GREAT" not in html
    assert pipeline.deps.ledger.get_meeting(meeting_key(uuid))["state"] == "imported"


def test_a_meeting_over_a_year_old_says_the_reports_are_gone(azurite) -> None:
    pipeline, uuid = pipeline_with(azurite)
    old = InvalidInputError("a year ago", service="zoom", status=400, code="12702")
    bundle = pipeline.zoom.meetings[uuid]
    bundle["report_qa"] = bundle["qa"] = bundle["survey"] = old
    pipeline.run()
    html = body(pipeline.items("ann@contoso.com")[0])
    assert "no longer provides the survey" in html
    assert "no longer provides the Q&amp;A" in html


def test_a_meeting_without_interactions_has_no_interaction_files(azurite) -> None:
    pipeline = Pipeline(settings_for(azurite.connection_string))
    pipeline.zoom.add(zoom_meeting("n1=="))
    pipeline.run()
    [item] = pipeline.items("ann@contoso.com")
    assert not [n for n in names(item) if n.endswith((".json", ".md"))]
    text = json.dumps(item["message"]["body"])
    assert "Poll" not in text
    assert "Q&amp;A" not in text


def test_replay_of_one_meeting_brings_a_summary_edited_since_it_was_archived(azurite) -> None:
    pipeline, uuid = pipeline_with(azurite)
    pipeline.run()
    pipeline.zoom.meetings[uuid]["summary"] = summary(uuid, modified="2026-11-23T09:00:00Z")
    assert replay(pipeline.deps, meeting_uuid=uuid)["summary"] == "update-enqueued"
    pipeline.stage_all()
    pipeline.import_all()
    assert len(pipeline.items("ann@contoso.com")) == 2


def test_a_summary_of_a_meeting_not_archived_yet_waits_for_its_staging(azurite) -> None:
    pipeline, uuid = pipeline_with(azurite)
    found = summary_event(pipeline.deps, "meeting.summary_completed", summary(uuid))
    assert found == "not-archived"
    assert pipeline.queues.sent == []


def test_what_the_heavy_budget_held_back_comes_later_as_one_update_item(azurite) -> None:
    pipeline, uuid = pipeline_with(azurite)
    bundle = pipeline.zoom.meetings[uuid]
    held_back = {"report_qa": bundle["report_qa"], "survey": bundle["survey"]}
    bundle["report_qa"], bundle["survey"] = spent(), spent()
    pipeline.run()
    row = pipeline.deps.ledger.get_meeting(meeting_key(uuid))
    assert row["interactions_waiting_for"] == "qa,survey"
    assert collect_status(pipeline.deps)["meetings"]["waiting_on_heavy"] == 1
    bundle.update(held_back)  # the next day: the budget allows it again
    assert pipeline.discover().counts["interactions-update-enqueued"] == 1
    pipeline.stage_all()
    pipeline.import_all()
    first, update = pipeline.items("bob@contoso.com")
    assert "BOB-SURVEY-GREAT" not in body(first)
    assert "BOB-SURVEY-GREAT" in body(update)
    assert "CAROL-SURVEY-MEH" not in body(update)
    assert pipeline.deps.ledger.get_meeting(meeting_key(uuid))["interactions_waiting"] is False
    pipeline.discover()
    assert pipeline.queues.sent == []


def test_what_zoom_answers_got_wrong_is_recorded_against_the_meeting(azurite) -> None:
    pipeline, uuid = pipeline_with(azurite)
    polls = pipeline.zoom.meetings[uuid]["polls"]
    polls["questions"][0]["question_details"][0]["date_time"] = "not a time"
    pipeline.run()
    notes = json.loads(pipeline.deps.ledger.get_meeting(meeting_key(uuid))["notes"])
    assert any("date_time" in n for n in notes)
