"""export-eml: files named by date and topic, unique in their folder, listed in index.csv."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from archiver.bootstrap import Deps
from archiver.operations.export import INDEX, INDEX_COLUMNS, export_eml
from archiver.settings import Settings
from tests.fakes import FakeZoom, zoom_meeting

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
GOOD = {
    "AzureWebJobsStorage": "UseDevelopmentStorage=true",
    "ZOOM_ACCOUNT_ID": "acct",
    "ZOOM_CLIENT_ID": "zoom-client",
    "ZOOM_CLIENT_SECRET": "zoom-secret-value",
    "GRAPH_TENANT_ID": "11111111-1111-4111-8111-111111111111",
    "GRAPH_CLIENT_ID": "22222222-2222-4222-8222-222222222222",
    "GRAPH_CLIENT_SECRET": "graph-secret-value",
}
MIB = 1024 * 1024


def deps(zoom: FakeZoom, **settings: str) -> Deps:
    return Deps(Settings.from_mapping({**GOOD, **settings}), zoom=zoom, clock=lambda: NOW)


def bundle(uuid: str, topic: str = "Quarterly review", **kw: Any) -> dict[str, Any]:
    found = zoom_meeting(uuid, **kw)
    found["recordings"]["topic"] = topic
    return found


def zoom_with(*bundles: dict[str, Any]) -> FakeZoom:
    zoom = FakeZoom()
    for b in bundles:
        zoom.add(b)
    return zoom


def index(folder: Path) -> list[dict[str, str]]:
    with (folder / INDEX).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def parsed(path: Path) -> Any:
    return BytesParser(policy=policy.strict).parsebytes(path.read_bytes())


def test_an_item_is_written_named_by_its_start_in_utc_and_its_topic(tmp_path: Path) -> None:
    zoom = zoom_with(bundle("m1=="))
    [path] = export_eml(deps(zoom), "m1==", tmp_path)
    assert path == tmp_path / "2026-11-20 1500 Quarterly review.eml"
    assert parsed(path)["Subject"] == "Zoom meeting: Quarterly review (2026-11-20)"


def test_the_index_lists_each_file_with_its_meeting_item_subject_and_attachments(
    tmp_path: Path,
) -> None:
    zoom = zoom_with(bundle("m1=="))
    [path] = export_eml(deps(zoom), "m1==", tmp_path)
    [row] = index(tmp_path)
    assert tuple(row) == INDEX_COLUMNS
    message = parsed(path)
    [attachment] = list(message.iter_attachments())
    assert row["file"] == path.name
    assert row["meeting_id"] == "81234567890"
    assert row["meeting_uuid"] == "m1=="
    assert row["topic"] == "Quarterly review"
    assert row["start_utc"] == "2026-11-20T15:00:00Z"
    assert row["item_key"] in message["Message-ID"]
    assert row["copy"] == "complete record"
    assert row["subject"] == message["Subject"]
    assert row["attachments"].startswith(f"{attachment.get_filename()} (2,048 bytes, SHA-256 ")


def test_the_export_time_is_the_archive_time_the_item_states(tmp_path: Path) -> None:
    [path] = export_eml(deps(zoom_with(bundle("m1=="))), "m1==", tmp_path)
    header = parsed(path)["X-Zoom-Archiver"]
    assert "archived-at=2026-11-21T09:30:00Z; sources=cloud recordings" in header


def test_another_meeting_of_the_same_start_and_topic_gets_a_number(tmp_path: Path) -> None:
    zoom = zoom_with(bundle("m1=="), bundle("m2=="))
    export_eml(deps(zoom), "m1==", tmp_path)
    [second] = export_eml(deps(zoom), "m2==", tmp_path)
    assert second.name == "2026-11-20 1500 Quarterly review (2).eml"
    assert [r["meeting_uuid"] for r in index(tmp_path)] == ["m1==", "m2=="]


def test_the_same_item_exported_again_replaces_its_file_and_its_index_row(tmp_path: Path) -> None:
    zoom = zoom_with(bundle("m1=="))
    [first] = export_eml(deps(zoom), "m1==", tmp_path)
    [again] = export_eml(deps(zoom), "m1==", tmp_path)
    assert again == first
    assert len(index(tmp_path)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name, INDEX]


def test_a_participants_copy_is_its_own_file_beside_the_complete_record(tmp_path: Path) -> None:
    zoom = zoom_with(bundle("m1=="))
    [complete] = export_eml(deps(zoom), "m1==", tmp_path)
    [bobs] = export_eml(deps(zoom), "m1==", tmp_path, viewer="Bob@contoso.com")
    assert bobs.name == "2026-11-20 1500 Quarterly review (for bob@contoso.com).eml"
    assert complete.exists()
    assert [r["copy"] for r in index(tmp_path)] == [
        "complete record",
        "as received by bob@contoso.com",
    ]


def test_each_part_of_a_split_meeting_says_so_in_its_name(tmp_path: Path) -> None:
    zoom = zoom_with(bundle("m1==", files=(("MP4", "speaker", 2 * MIB + 1),)))
    paths = export_eml(
        deps(zoom, MAX_ATTACHMENT_MB="2", MAX_ITEM_MB="4", OVERSIZE_POLICY="split"),
        "m1==",
        tmp_path,
    )
    assert [p.name for p in paths] == [
        "2026-11-20 1500 Quarterly review.eml",
        "2026-11-20 1500 Quarterly review - part 1 of 2.eml",
        "2026-11-20 1500 Quarterly review - part 2 of 2.eml",
    ]


def test_a_file_export_did_not_write_is_never_overwritten(tmp_path: Path) -> None:
    mine = tmp_path / "2026-11-20 1500 QUARTERLY REVIEW.eml"
    mine.write_bytes(b"my notes")
    [path] = export_eml(deps(zoom_with(bundle("m1=="))), "m1==", tmp_path)
    assert path.name == "2026-11-20 1500 Quarterly review (2).eml"
    assert mine.read_bytes() == b"my notes"
    assert [r["file"] for r in index(tmp_path)] == [path.name]


def test_a_folder_whose_index_export_did_not_write_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    (tmp_path / INDEX).write_text("name,notes\nx,y\n")
    with pytest.raises(ValueError, match="is not an index written by export-eml"):
        export_eml(deps(zoom_with(bundle("m1=="))), "m1==", tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [INDEX]


def test_an_index_value_a_spreadsheet_would_evaluate_is_written_as_text(tmp_path: Path) -> None:
    topic = '=HYPERLINK("http://evil.example","x")'
    export_eml(deps(zoom_with(bundle("m1==", topic=topic))), "m1==", tmp_path)
    [row] = index(tmp_path)
    assert row["topic"] == f"'{topic}"
    assert row["subject"].startswith("Zoom meeting: =HYPERLINK")


def test_an_index_row_whose_file_was_removed_is_dropped(tmp_path: Path) -> None:
    zoom = zoom_with(bundle("m1=="), bundle("m2==", topic="Other"))
    [gone] = export_eml(deps(zoom), "m1==", tmp_path)
    gone.unlink()
    export_eml(deps(zoom), "m2==", tmp_path)
    assert [r["meeting_uuid"] for r in index(tmp_path)] == ["m2=="]


def test_an_index_naming_a_file_outside_the_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    zoom = zoom_with(bundle("m1=="))
    export_eml(deps(zoom), "m1==", folder)
    [row] = index(folder)
    row["file"] = "../escaped.eml"
    with (folder / INDEX).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, INDEX_COLUMNS)
        writer.writeheader()
        writer.writerow(row)
    with pytest.raises(ValueError, match="is not a file name in the folder"):
        export_eml(deps(zoom), "m1==", folder)
    assert not (tmp_path / "escaped.eml").exists()


def test_polls_and_the_summary_are_exported_with_the_item_as_the_host_sees_them(
    tmp_path: Path,
) -> None:
    from tests.interaction_bodies import with_interactions

    zoom = zoom_with(with_interactions(bundle("i1==")))
    [path] = export_eml(deps(zoom), "i1==", tmp_path / "all")
    message = parsed(path)
    names = [part.get_filename() for part in message.iter_attachments()]
    assert any(n.endswith("polls.json") for n in names)
    assert any(n.endswith("summary.md") for n in names)
    [mine] = export_eml(deps(zoom), "i1==", tmp_path / "bob", viewer="bob@contoso.com")
    theirs = [p.get_filename() for p in parsed(mine).iter_attachments()]
    assert not [n for n in theirs if n.endswith(("polls.json", "summary.md"))]
    assert "BOB-POLL-YES" in mine.read_text(errors="replace")
