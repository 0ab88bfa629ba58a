"""Delivery leases: kept alive while work goes on, taken over soon after a crash, never shared."""

from __future__ import annotations

from datetime import timedelta

import pytest

from archiver.steps.leases import LeaseLostError, Leases
from tests.integration.pipeline_support import NOW, Pipeline, settings_for

pytestmark = pytest.mark.integration
LEASE = timedelta(seconds=60)
FIELDS = {"uuid": "u", "meeting_id": 1, "topic": "t"}


@pytest.fixture
def pipeline(azurite) -> Pipeline:
    return Pipeline(settings_for(azurite.connection_string))


def claim(pipeline: Pipeline, mailbox: str = "mbx-1"):
    return pipeline.deps.ledger.claim_delivery("k1", mailbox, lease=LEASE, fields=FIELDS)


def test_a_working_invocation_renews_its_lease(pipeline) -> None:
    row = claim(pipeline)
    leases = Leases(pipeline.deps.ledger, "k1", lease=LEASE, clock=lambda: pipeline.now)
    leases.hold("mbx-1", row["_etag"])
    pipeline.now = NOW + timedelta(seconds=40)
    leases.renew()
    current = pipeline.deps.ledger.get_delivery("k1", "mbx-1")
    assert current["lease_until"] == (NOW + timedelta(seconds=100)).isoformat()
    leases.check("mbx-1")  # still ours


def test_a_renewed_lease_keeps_others_out(pipeline) -> None:
    row = claim(pipeline)
    leases = Leases(pipeline.deps.ledger, "k1", lease=LEASE, clock=lambda: pipeline.now)
    leases.hold("mbx-1", row["_etag"])
    pipeline.now = NOW + timedelta(seconds=50)
    leases.renew()
    pipeline.now = NOW + timedelta(seconds=70)  # past the first lease, within the renewed one
    assert claim(pipeline) is None


def test_a_crashed_workers_delivery_is_taken_over_after_one_lease(pipeline) -> None:
    claim(pipeline)  # the worker holding it dies: nobody renews
    pipeline.now = NOW + timedelta(seconds=59)
    assert claim(pipeline) is None
    pipeline.now = NOW + timedelta(seconds=61)
    taken = claim(pipeline)
    assert taken is not None
    assert taken["attempts"] == 2


def test_a_worker_whose_delivery_was_taken_over_stops(pipeline) -> None:
    row = claim(pipeline)
    leases = Leases(pipeline.deps.ledger, "k1", lease=LEASE, clock=lambda: pipeline.now)
    leases.hold("mbx-1", row["_etag"])
    pipeline.now = NOW + timedelta(seconds=90)  # it paused longer than its lease...
    assert claim(pipeline) is not None  # ...and another worker took the delivery over
    leases.renew()
    with pytest.raises(LeaseLostError):
        leases.check("mbx-1")
