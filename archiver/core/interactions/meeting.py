"""What one meeting instance has of polls, Q&A, a survey and an AI Companion summary."""

from __future__ import annotations

from dataclasses import dataclass

from archiver.core.interactions.polls import PollResults, SurveyResults
from archiver.core.interactions.qa import QAResults
from archiver.core.interactions.summary import MeetingSummary

SUMMARY = "summary"
POLLS = "polls"
QA = "qa"
SURVEY = "survey"
KINDS = (SUMMARY, POLLS, QA, SURVEY)  # the order the item shows them in


@dataclass(frozen=True)
class MeetingInteractions:
    """Each kind as parsed (None: not fetched, or Zoom has none for this meeting)."""

    summary: MeetingSummary | None = None
    polls: PollResults | None = None
    qa: QAResults | None = None
    survey: SurveyResults | None = None
    summary_withheld: bool = False  # this copy leaves out a summary Zoom has

    @property
    def input_errors(self) -> tuple[str, ...]:
        """Every input error of every kind held (for status and the run log)."""
        return tuple(
            e
            for found in (self.summary, self.polls, self.qa, self.survey)
            if found is not None
            for e in found.all_errors
        )

    def complete(self, kind: str) -> bool:
        """True when this copy shows all of a kind that Zoom gave (nothing withheld)."""
        if kind == SUMMARY:
            return not self.summary_withheld
        found = {POLLS: self.polls, QA: self.qa, SURVEY: self.survey}[kind]
        return found is None or (found.withheld == 0 and found.withheld_errors == 0)
