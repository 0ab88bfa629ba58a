"""The product's name and version stated in every item are the project's own."""

from __future__ import annotations

import tomllib
from pathlib import Path

from archiver.core.converter.provenance import PRODUCT, VERSION

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


def test_the_version_items_state_is_the_version_in_pyproject() -> None:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert (project["name"], project["version"]) == (PRODUCT, VERSION)
