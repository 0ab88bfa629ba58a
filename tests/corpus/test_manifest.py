"""Manifests through Manifest.from_json: refused naming the field, or accepted and
round-tripping. What a manifest names is what the importer mails and deletes, so its addresses
must be addresses and its blobs its own meeting's."""

from __future__ import annotations

import json

import pytest

from archiver.core.contracts import Manifest
from archiver.errors import InvalidInputError
from tests.corpus.support import Case, check_rejection, params


@pytest.mark.parametrize("case", params("manifest"))
def test_each_manifest_is_accepted_and_round_trips_or_is_refused_naming_the_field(
    case: Case,
) -> None:
    try:
        manifest = Manifest.from_json(case.data)
    except InvalidInputError as error:
        check_rejection(case, error)
        return
    assert case.accepted, f"accepted but must be refused: {case.expect['error']}"
    assert Manifest.from_json(json.dumps(manifest.to_dict())) == manifest
    assert all(name.startswith(f"{manifest.key}/") for name in manifest.staged_blobs()[:-1])
