"""Helpers for parser tests: run a parser over a sample file and split what comes out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dnscert.intel.feeds.collectors import read_file
from dnscert.intel.feeds.registry import get
from dnscert.intel.schema import Event, FailedRecord

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
OBSERVED = "2026-11-20T12:00:00Z"


@dataclass
class Outcome:
    """Events and failed records of one parse, in input order."""

    items: list[Event | FailedRecord]

    @property
    def events(self) -> list[Event]:
        """Only the events."""
        return [item for item in self.items if isinstance(item, dict)]

    @property
    def failed(self) -> list[FailedRecord]:
        """Only the failed records."""
        return [item for item in self.items if isinstance(item, FailedRecord)]

    def event_with(self, field: str, value: Any) -> Event:
        """The one event whose ``field`` equals ``value``."""
        found = [event for event in self.events if event.get(field) == value]
        assert len(found) == 1, f"{len(found)} events with {field}={value!r}"
        return found[0]

    def failure_for(self, fragment: str) -> FailedRecord:
        """The one failed record whose raw text contains ``fragment``."""
        found = [record for record in self.failed if fragment in record.raw]
        assert len(found) == 1, f"{len(found)} failed records containing {fragment!r}"
        return found[0]


def parse_sample(parser: str, sample: str, **options: Any) -> Outcome:
    """Parse ``tests/intel/samples/<sample>`` with the named parser."""
    options.setdefault("observed_at", OBSERVED)
    items = get(parser)(read_file(SAMPLES / sample), feed_name=f"test-{parser}", options=options)
    return Outcome(list(items))


def parse_text(parser: str, text: str | bytes, **options: Any) -> Outcome:
    """Parse an in-memory feed given as one text (split into lines, ends kept)."""
    options.setdefault("observed_at", OBSERVED)
    lines = text.splitlines(keepends=True)
    items = get(parser)(lines, feed_name=f"test-{parser}", options=options)
    return Outcome(list(items))


def data_lines(sample: str, comment_prefixes: tuple[str, ...] = ("#",)) -> int:
    """Lines of a sample that are neither blank nor comments."""
    text = (SAMPLES / sample).read_text(encoding="utf-8")
    return sum(
        1
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith(comment_prefixes)
    )
