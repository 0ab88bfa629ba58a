"""The AI Companion summary: summary_content (Markdown) when Zoom gives it, the deprecated
fields otherwise, its times, whether it was edited, and only a web link as its Zoom Docs link."""

from __future__ import annotations

import copy
import json
from dataclasses import asdict
from datetime import UTC, datetime

import pytest

from archiver.core.interactions import MeetingSummary, SummaryDetail, parse_summary
from archiver.core.typed import from_json_dict
from tests.unit.interactions.shapes import CONTENT, SUMMARY, legacy_summary


def test_a_summary_gives_its_title_times_markdown_and_link() -> None:
    found = parse_summary(SUMMARY)
    assert (found.title, found.content, found.doc_url) == (
        "Budget review",
        CONTENT,
        "https://docs.zoom.us/doc/AbCdEf123",
    )
    assert found.created == found.last_modified == datetime(2026, 11, 20, 15, 47, tzinfo=UTC)
    assert (found.start, found.end) == (
        datetime(2026, 11, 20, 15, 0, tzinfo=UTC),
        datetime(2026, 11, 20, 15, 45, tzinfo=UTC),
    )
    assert (found.meeting_uuid, found.host_email) == ("m1==", "ann@contoso.com")
    assert not found.deprecated
    assert not found.was_edited
    assert found.input_errors == ()


def test_a_summary_modified_after_it_was_created_was_edited() -> None:
    body = {**SUMMARY, "summary_last_modified_time": "2026-11-21T09:00:00Z"}
    assert parse_summary(body).was_edited


def test_without_summary_content_the_deprecated_fields_are_what_is_shown() -> None:
    found = parse_summary(legacy_summary())
    assert found.deprecated
    assert found.overview.startswith("The budget for next quarter")
    assert found.details == (
        SummaryDetail("Budget", "Approved, travel reduced by 10%."),
        SummaryDetail("Hiring", "Two roles opened."),
    )
    assert found.next_steps == ("Cat circulates the final numbers", "Ann opens the roles")


def test_blank_summary_content_counts_as_none() -> None:
    assert parse_summary({**SUMMARY, "summary_content": " \n "}).deprecated


def test_an_edited_summary_is_read_as_zoom_documents_it() -> None:
    body = legacy_summary()
    body["edited_summary"] = {"summary_details": "Budget: approved", "next_steps": ["Ann books"]}
    found = parse_summary(body)
    assert found.edited is not None
    assert (found.edited.details, found.edited.next_steps) == ("Budget: approved", ("Ann books",))
    assert found.was_edited


def test_edited_details_given_as_labelled_parts_are_read_too() -> None:
    body = {**SUMMARY, "edited_summary": {"summary_details": [{"label": "A", "summary": "b"}]}}
    edited = parse_summary(body).edited
    assert edited is not None
    assert edited.details == "A: b"


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://x.example/doc", "https://", "https://x.example/a b", "/doc/1"],
)
def test_a_doc_link_that_is_not_a_web_link_is_not_kept(url: str) -> None:
    found = parse_summary({**SUMMARY, "summary_doc_url": url})
    assert found.doc_url is None
    assert "summary_doc_url: not an http or https link" in found.input_errors[0]


def test_bad_values_are_named_and_the_rest_kept() -> None:
    body = copy.deepcopy(SUMMARY)
    body.update(summary_created_time="soon", next_steps=["ok", 3], summary_details="x")
    found = parse_summary(body)
    assert found.content == CONTENT
    assert found.next_steps == ("ok",)
    assert found.input_errors == (
        "meeting summary.summary_created_time: not an ISO datetime ('soon'); not shown",
        "meeting summary.summary_details: expected a list of objects, got 'x'; no detail is shown",
        "meeting summary.next_steps[1]: expected text, got 3; left out",
    )


def test_a_summary_that_is_not_an_object_is_an_empty_one_with_its_error() -> None:
    found = parse_summary(["summary"])
    assert (found.title, found.content) == ("", None)
    assert found.input_errors == (
        "meeting summary: expected an object, got ['summary']; no summary is shown",
    )


def test_a_parsed_summary_round_trips_through_its_json_form() -> None:
    body = {**legacy_summary(), "edited_summary": {"summary_details": "x", "next_steps": ["y"]}}
    found = parse_summary(body)
    doc = json.loads(json.dumps(asdict(found), default=str))
    assert from_json_dict(MeetingSummary, doc, "summary") == found
