"""Structured step logs and custom metrics for Application Insights.

The Python worker forwards `logging` records to Application Insights; with OpenTelemetry enabled
(host.json "telemetryMode": "OpenTelemetry" and PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY=true,
the supported way for Python) the `extra` fields of a record land in customDimensions and the
OpenTelemetry meters below land in customMetrics. Without that configuration they are no-ops.
Never pass secrets, tokens or message bodies as dimensions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import metrics

from archiver.errors import ArchiverError

log = logging.getLogger("archiver.steps")
_meter = metrics.get_meter("zoom-archiver")
MEETINGS = _meter.create_counter("archiver.meetings", description="meetings by stage")
ITEMS = _meter.create_counter("archiver.items", description="items created, by mailbox")
BYTES = _meter.create_counter("archiver.bytes", unit="By", description="bytes archived")
FAILURES = _meter.create_counter("archiver.failures", description="failures by reason")
LAG = _meter.create_histogram(
    "archiver.lag", unit="s", description="meeting end to item created in the mailbox"
)


@contextmanager
def step(name: str, **dimensions: Any) -> Iterator[dict[str, Any]]:
    """Log one line for a step: its dimensions, duration and outcome (ok or the error reason)."""
    started = time.perf_counter()
    fields: dict[str, Any] = {"step": name, **dimensions}
    try:
        yield fields
    except Exception as error:
        reason = error.reason if isinstance(error, ArchiverError) else type(error).__name__
        fields.update(outcome="error", reason=reason)
        FAILURES.add(1, {"step": name, "reason": reason})
        raise
    else:
        fields.setdefault("outcome", "ok")
    finally:
        fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
        level = logging.WARNING if fields.get("outcome") == "error" else logging.INFO
        log.log(level, "%s %s", name, fields.get("outcome"), extra=_safe(fields))


def _safe(fields: dict[str, Any]) -> dict[str, Any]:
    # LogRecord reserves some attribute names; prefix ours so none collides.
    return {f"zoom_{k}" if k in _RESERVED else k: v for k, v in fields.items()}


_RESERVED = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message"}
