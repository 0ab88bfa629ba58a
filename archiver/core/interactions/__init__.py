"""Polls, Q&A, surveys and the AI Companion summary: Zoom's JSON parsed at the edge (pure).

Each parser takes one Zoom answer body as decoded JSON and never raises for its data: what it
cannot read is recorded as an input error naming the row and field, and the rest is kept.
Who may see what is in visibility.py; rendering in archiver/core/converter/interactions.py.
"""

from archiver.core.interactions.meeting import (
    KINDS,
    POLLS,
    QA,
    SUMMARY,
    SURVEY,
    MeetingInteractions,
)
from archiver.core.interactions.polls import (
    Poll,
    PollAnswer,
    PollResults,
    PollTitle,
    SurveyAnswer,
    SurveyResults,
    parse_polls,
    parse_survey,
    poll_titles,
)
from archiver.core.interactions.qa import QAAnswer, QAQuestion, QAResults, parse_qa
from archiver.core.interactions.rows import ANONYMOUS, PAST, REPORT, Person
from archiver.core.interactions.summary import (
    EditedSummary,
    MeetingSummary,
    SummaryDetail,
    parse_summary,
)
from archiver.core.interactions.visibility import Viewer, for_viewer

__all__ = [
    "ANONYMOUS",
    "KINDS",
    "PAST",
    "POLLS",
    "QA",
    "REPORT",
    "SUMMARY",
    "SURVEY",
    "EditedSummary",
    "MeetingInteractions",
    "MeetingSummary",
    "Person",
    "Poll",
    "PollAnswer",
    "PollResults",
    "PollTitle",
    "QAAnswer",
    "QAQuestion",
    "QAResults",
    "SummaryDetail",
    "SurveyAnswer",
    "SurveyResults",
    "Viewer",
    "for_viewer",
    "parse_polls",
    "parse_qa",
    "parse_summary",
    "parse_survey",
    "poll_titles",
]
