"""Sections rendered outside body.py use the body's own styles (one module holds them)."""

from __future__ import annotations

import pytest

from archiver.core.converter import body, styles

SHARED = [
    "STACK", "FONT", "P", "NOTE", "TABLE", "TH", "TD", "FACT", "PERSON", "MUTED", "MONO", "LIST",
    "TABLE_ATTRS",
]  # fmt: skip


@pytest.mark.parametrize("name", SHARED)
def test_each_shared_style_is_defined_once(name: str) -> None:
    value = getattr(styles, name)
    assert isinstance(value, str)
    assert getattr(body, name, value) is value  # body.py uses it, never its own copy


def test_the_row_and_cell_limits_are_the_bodys() -> None:
    assert (styles.MAX_ROWS, styles.MAX_CELL) == (body.MAX_LINES, body.MAX_LINE)


def test_no_style_holds_what_would_break_out_of_its_attribute() -> None:
    values = [v for k, v in vars(styles).items() if k.isupper() and isinstance(v, str)]
    assert not any(ch in v for v in values if v is not styles.TABLE_ATTRS for ch in '<>"&')
