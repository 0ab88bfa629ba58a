"""Shared fixtures: one Azurite per test session; tests isolate by unique names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.azurite import Azurite
from tests.support.simulators import Simulators


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    with Azurite() as instance:
        yield instance


@pytest.fixture(scope="session")
def simulators() -> Iterator[Simulators]:
    with Simulators() as sims:
        yield sims
