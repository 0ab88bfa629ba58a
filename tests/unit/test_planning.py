"""Planning: which files are attached, linked, split or skipped, and which items carry them."""

from __future__ import annotations

from archiver.core.planning import BODY_RESERVE, MIB, FileSpec, plan_meeting

LIMIT = 150 * MIB


def plan(*sizes: int, policy: str = "link", max_attachment: int = LIMIT, max_item: int = LIMIT):
    files = [FileSpec(f"f{i}", size) for i, size in enumerate(sizes)]
    return plan_meeting(files, max_attachment=max_attachment, max_item=max_item, policy=policy)


def test_small_files_are_all_attached_to_one_item() -> None:
    files, items = plan(1 * MIB, 2 * MIB, 3)
    assert [f.disposition for f in files] == ["attach", "attach", "attach"]
    assert len(items) == 1
    assert {a.file_id for a in items[0].attachments} == {"f0", "f1", "f2"}


def test_a_file_just_over_the_attachment_limit_is_linked_by_default() -> None:
    files, items = plan(LIMIT + 1)
    assert files[0].disposition == "link"
    assert "150 MB attachment limit" in (files[0].note or "")
    assert items[0].attachments == ()


def test_skip_policy_stores_nothing_and_says_why() -> None:
    files, items = plan(LIMIT + 1, policy="skip")
    assert files[0].disposition == "skip"
    assert "OVERSIZE_POLICY=skip" in (files[0].note or "")
    assert len(items) == 1


def test_split_policy_cuts_parts_that_each_fit_an_item() -> None:
    size = 2 * LIMIT + 5
    files, items = plan(size, policy="split")
    parts = files[0].parts
    assert files[0].disposition == "split"
    assert len(parts) == 3
    assert sum(p.size for p in parts) == size
    assert [p.offset for p in parts] == [0, parts[0].size, parts[0].size * 2]
    assert all(p.size <= LIMIT - BODY_RESERVE for p in parts)
    assert [item.number for item in items] == [0, 1, 2, 3]
    assert all(item.count == 3 for item in items)
    assert items[2].attachments[0].offset == parts[1].offset


def test_files_that_together_exceed_the_item_budget_overflow_to_the_policy() -> None:
    files, items = plan(60 * MIB, 60 * MIB, 60 * MIB, max_item=150 * MIB)
    assert [f.disposition for f in files] == ["attach", "attach", "link"]
    assert "would make the item larger than 150 MB" in (files[2].note or "")
    assert sum(a.size for a in items[0].attachments) <= 150 * MIB - BODY_RESERVE


def test_smaller_files_are_preferred_when_the_budget_is_tight() -> None:
    files, _ = plan(100 * MIB, 1 * MIB, max_item=100 * MIB)
    assert [f.disposition for f in files] == ["link", "attach"]
