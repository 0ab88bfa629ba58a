"""Pure decisions about what goes into the mailbox: per-file disposition and the items to create.

A file within MAX_ATTACHMENT_MB that still fits the item's MAX_ITEM_MB budget is attached to the
meeting's item. Anything else follows OVERSIZE_POLICY: `link` keeps it in the immutable archive
container, `split` cuts it into parts that each ride in their own "Part i of n" item, `skip` stores
nothing. Whatever happens, the main item exists and says what happened to every file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MIB = 1024 * 1024
# Room kept in every item for the rendered body and headers.
BODY_RESERVE = 1 * MIB


@dataclass(frozen=True)
class FileSpec:
    """A completed Zoom file, as planning sees it."""

    file_id: str
    size: int


@dataclass(frozen=True)
class Part:
    """Bytes [offset, offset+size) of a split file; index counts from 1."""

    index: int
    count: int
    offset: int
    size: int


@dataclass(frozen=True)
class FilePlan:
    """What happens to one file."""

    file_id: str
    disposition: str  # attach | link | split | skip
    note: str | None = None
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """One attachment of one item: a whole file or a byte range of it."""

    file_id: str
    offset: int
    size: int
    part: Part | None = None


@dataclass(frozen=True)
class ItemPlan:
    """One mailbox item: number 0 is the meeting's item, 1..n carry split parts."""

    number: int
    count: int
    attachments: tuple[Attachment, ...]


def plan_meeting(
    files: Sequence[FileSpec], *, max_attachment: int, max_item: int, policy: str
) -> tuple[tuple[FilePlan, ...], tuple[ItemPlan, ...]]:
    """Decide each file's disposition and the items that carry the attachments."""
    budget = max(0, max_item - BODY_RESERVE)
    plans: dict[str, FilePlan] = {}
    main: list[Attachment] = []
    used = 0
    for spec in sorted(files, key=lambda f: (f.size, f.file_id)):
        if spec.size <= max_attachment and used + spec.size <= budget:
            plans[spec.file_id] = FilePlan(spec.file_id, "attach")
            main.append(Attachment(spec.file_id, 0, spec.size))
            used += spec.size
            continue
        why = (
            f"larger than the {max_attachment // MIB} MB attachment limit"
            if spec.size > max_attachment
            else f"would make the item larger than {max_item // MIB} MB"
        )
        plans[spec.file_id] = _oversize(spec, why, policy, min(max_attachment, budget))
    split_parts = [(plan.file_id, part) for plan in plans.values() for part in plan.parts]
    count = len(split_parts)
    items = [ItemPlan(0, count, tuple(sorted(main, key=lambda a: a.file_id)))]
    for number, (file_id, part) in enumerate(split_parts, start=1):
        items.append(ItemPlan(number, count, (Attachment(file_id, part.offset, part.size, part),)))
    ordered = tuple(plans[spec.file_id] for spec in files)
    return ordered, tuple(items)


def _oversize(spec: FileSpec, why: str, policy: str, part_limit: int) -> FilePlan:
    if policy == "link":
        return FilePlan(spec.file_id, "link", f"kept in archive storage: {why}")
    if policy == "split" and part_limit > 0:
        count = -(-spec.size // part_limit)
        parts = tuple(
            Part(i + 1, count, i * part_limit, min(part_limit, spec.size - i * part_limit))
            for i in range(count)
        )
        return FilePlan(spec.file_id, "split", f"split into {count} parts: {why}", parts)
    return FilePlan(spec.file_id, "skip", f"not stored (OVERSIZE_POLICY=skip): {why}")
