"""Which polls, Q&A, survey answers and summary a mailbox's copy holds (pure).

The product's promise is that each person's mailbox holds what that person saw in the meeting;
the host's copy and the compliance mailbox's copy hold everything. Zoom's APIs do not say who
saw what (the host's sharing of poll results, the webinar's "attendees can view all questions"
setting, who the summary was sent to), so the rule fails closed, as the chat rule does: a copy
may miss something its owner saw, never hold something they did not.

- Polls and surveys: a participant saw their own answers only (Zoom shows attendees shared,
  aggregated results, never another person's answers). Their copy holds the answers whose
  respondent's address is theirs; anonymous answers (no email) are in no participant's copy.
- Q&A: a participant's copy holds the questions they asked (whatever their status) or
  answered, with every answer to their own questions (a private answer goes to the asker) and
  the answers they wrote; and any other question only where the report shows it was published:
  status "answered" with an answer Zoom types as public, or answered live, and in either case
  only its public answers (and Zoom's joined answer text only where every answer is shown).
  This assumes attendees may view answered questions (a Q&A setting the API does not show;
  UNSURE that it is Zoom's default): an account that turned it off passes
  attendees_see_answered=False. Open, dismissed and deleted questions of
  others and private answers are in no other participant's copy; nor is any other person's
  question from the past-meeting shape, which has no status or answer types.
- The AI Companion summary: Zoom does not say with whom the host shared it, so only the host's
  and the compliance copies hold it; the others say that it exists and where it is kept.
- Problems Zoom's data had that concern the body rather than one row can quote anyone's
  values: only the host's and the compliance copies list them; the others count them.

A copy that shows all of a kind may attach Zoom's file for it as received (like the raw chat).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

from archiver.core.interactions.meeting import MeetingInteractions
from archiver.core.interactions.polls import PollAnswer, PollResults, SurveyAnswer, SurveyResults
from archiver.core.interactions.qa import QAAnswer, QAQuestion, QAResults
from archiver.core.interactions.rows import REPORT

_PUBLIC = frozenset({"public", "publicly", "live"})
_PRIVATE = frozenset({"private", "privately"})
# Zoom documents no status of its own for a question answered live (the simulator reports it
# "open"): any status but dismissed or deleted will do.
_LIVE_STATUSES = frozenset({"answered", "open", "default", ""})


@dataclass(frozen=True)
class Viewer:
    """Whose copy: the host's or the compliance mailbox's (privileged), or a participant's,
    known by every address of the meeting that resolved to their mailbox."""

    privileged: bool
    emails: frozenset[str] = frozenset()
    # Attendees may view answered questions (Zoom's Q&A setting, which the API does not show):
    # False for an account that turned it off.
    sees_published: bool = True

    @classmethod
    def of(
        cls,
        viewer_is_host_or_compliance: bool,
        viewer_email: str | Iterable[str] | None,
        *,
        sees_published: bool = True,
    ) -> Viewer:
        """A viewer from one address or several (compared without case)."""
        found = [viewer_email] if isinstance(viewer_email, str) else list(viewer_email or ())
        emails = frozenset(e.strip().lower() for e in found if e)
        return cls(viewer_is_host_or_compliance, emails, sees_published)

    def owns(self, email: str | None) -> bool:
        """True when the address is this viewer's (never for a missing address)."""
        return email is not None and email in self.emails


def is_public(answer: QAAnswer) -> bool:
    """True when Zoom types the answer as given publicly or live (an unknown type is not)."""
    words = set(answer.kind.lower().replace("_", " ").replace("-", " ").split())
    return bool(words & _PUBLIC) and not words & _PRIVATE


def published(question: QAQuestion, source: str) -> bool:
    """True when the report shows the question answered for all to see: answered with a public
    answer, or answered live (and neither dismissed nor deleted)."""
    if source != REPORT:
        return False
    if question.answered_live:
        return question.status in _LIVE_STATUSES
    return question.status == "answered" and any(is_public(a) for a in question.answers)


def may_see_answer(answer: PollAnswer | SurveyAnswer, viewer: Viewer) -> bool:
    """A poll or survey answer: the privileged copies, and its own respondent's."""
    return viewer.privileged or viewer.owns(answer.respondent.email)


def may_see_question(question: QAQuestion, source: str, viewer: Viewer) -> bool:
    """A question: the privileged copies, its asker's, its answerers', and all once published."""
    return (
        viewer.privileged
        or viewer.owns(question.asker.email)
        or any(viewer.owns(a.who.email) for a in question.answers)
        or (viewer.sees_published and published(question, source))
    )


def may_see_reply(question: QAQuestion, answer: QAAnswer, source: str, viewer: Viewer) -> bool:
    """An answer to a question this viewer sees: the asker's and the answerer's own, and a public
    one of a published question."""
    return (
        viewer.privileged
        or viewer.owns(question.asker.email)
        or viewer.owns(answer.who.email)
        or (viewer.sees_published and published(question, source) and is_public(answer))
    )


def may_see_summary(viewer: Viewer) -> bool:
    """The AI Companion summary: the host's and the compliance copies."""
    return viewer.privileged


def for_viewer(
    interactions: MeetingInteractions,
    *,
    viewer_is_host_or_compliance: bool,
    viewer_email: str | Iterable[str] | None,
    attendees_see_answered: bool = True,
) -> MeetingInteractions:
    """What one copy holds, each kind saying how much of it is withheld."""
    viewer = Viewer.of(
        viewer_is_host_or_compliance, viewer_email, sees_published=attendees_see_answered
    )
    if viewer.privileged:
        return interactions
    summary = interactions.summary if may_see_summary(viewer) else None
    return MeetingInteractions(
        summary=summary,
        polls=_answered(interactions.polls, viewer),
        qa=_qa(interactions.qa, viewer),
        survey=_answered(interactions.survey, viewer),
        summary_withheld=interactions.summary_withheld
        or (interactions.summary is not None and summary is None),
    )


_Answered = TypeVar("_Answered", PollResults, SurveyResults)


def _answered(found: _Answered | None, viewer: Viewer) -> _Answered | None:
    """Poll or survey results with only the answers this viewer may see (the others counted)."""
    if found is None:
        return None
    kept = tuple(a for a in found.answers if may_see_answer(a, viewer))
    return replace(
        found,
        answers=kept,
        withheld=found.withheld + len(found.answers) - len(kept),
        input_errors=(),
        withheld_errors=found.withheld_errors + len(found.input_errors),
    )


def _qa(found: QAResults | None, viewer: Viewer) -> QAResults | None:
    if found is None:
        return None
    kept: list[QAQuestion] = []
    withheld = found.withheld
    for q in found.questions:
        if not may_see_question(q, found.source, viewer):
            withheld += 1 + len(q.answers)
            continue
        answers = tuple(a for a in q.answers if may_see_reply(q, a, found.source, viewer))
        withheld += len(q.answers) - len(answers)
        # Zoom's answer text joins every answer, private ones too: kept where this viewer
        # sees every answer it can hold (or it only says "live answered").
        whole = len(answers) == len(q.answers) and (
            bool(q.answers) or viewer.owns(q.asker.email) or q.answered_live
        )
        if q.answer and not whole:
            withheld += 0 if q.answers else 1
        kept.append(replace(q, answers=answers, answer=q.answer if whole else ""))
    return replace(
        found,
        questions=tuple(kept),
        withheld=withheld,
        input_errors=(),
        withheld_errors=found.withheld_errors + len(found.input_errors),
    )
