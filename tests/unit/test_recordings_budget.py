"""A recorded meeting staged after the day's Heavy budget is spent still gets its participants:
from the past-meetings list (Medium), and the item says so; it never waits for 00:00 UTC."""

from __future__ import annotations

from typing import Any

from archiver.errors import BudgetExhaustedError
from archiver.sources.recordings import BUDGET_SPENT, fetch_meeting

UUID = "rec=="
ROWS = [{"name": "Ann", "user_email": "ann@contoso.com", "join_time": "2026-11-21T09:00:00Z",
         "leave_time": "2026-11-21T09:30:00Z"}]  # fmt: skip


class Zoom:
    def get_recordings(self, uuid: str) -> dict[str, Any]:
        return {"uuid": UUID, "id": 1, "topic": "T", "host_email": "ann@contoso.com",
                "start_time": "2026-11-21T09:00:00Z", "recording_files": []}  # fmt: skip

    def get_past_meeting(self, uuid: str) -> dict[str, Any]:
        return {"uuid": UUID, "start_time": "2026-11-21T09:00:00Z"}

    def list_participants(self, uuid: str) -> list[dict[str, Any]]:
        raise BudgetExhaustedError("spent", category="heavy", retry_after=3600)

    def list_past_participants(self, uuid: str) -> list[dict[str, Any]]:
        return ROWS


def test_a_spent_heavy_budget_takes_the_past_meetings_list_and_the_item_says_so() -> None:
    meeting = fetch_meeting(Zoom(), UUID)  # type: ignore[arg-type]
    assert [p.name for p in meeting.participants] == ["Ann"]
    assert BUDGET_SPENT in meeting.notes
