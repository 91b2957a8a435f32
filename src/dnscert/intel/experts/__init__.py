"""Enrichment experts: callables that take an event and return it enriched.

An expert returns the event (possibly changed), a
:class:`~dnscert.intel.schema.FailedRecord` when the event cannot be used (the record is kept,
with ``stage`` naming the expert), or ``None`` when the event is suppressed on purpose (only
:class:`~dnscert.intel.experts.dedupe.DedupeExpert` does that; the pipeline counts it).
"""

from __future__ import annotations

from typing import Protocol

from dnscert.intel.schema import Event, FailedRecord


class Expert(Protocol):
    """The contract of every expert."""

    name: str

    def __call__(self, event: Event) -> Event | FailedRecord | None: ...


def reject(event: Event, stage: str, reason: str) -> FailedRecord:
    """A failed record for an event an expert cannot accept."""
    feed, line = str(event.get("feed.name", "")), int(event.get("feed.line", 0))
    return FailedRecord(feed, line, str(event.get("raw", "")), reason, stage)
