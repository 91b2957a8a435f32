"""Dedupe against stored events looks only where an earlier run of the feed could match."""

from __future__ import annotations

from typing import Any

import pytest

from dnscert.intel import dedupe, storage
from dnscert.intel.models import Event, Feed
from tests.intel.app import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many batches were looked up in the stored events (their sizes)."""
    calls: list[int] = []
    real = dedupe._stored_times

    def counting(batch: Any, window: Any) -> Any:
        calls.append(len(batch))
        return real(batch, window)

    monkeypatch.setattr(dedupe, "_stored_times", counting)
    return calls


def _observed(feed: Feed, moment: str) -> Feed:
    Feed.objects.filter(pk=feed.pk).update(options={"observed_at": moment})
    feed.refresh_from_db()
    return feed


def test_a_feeds_first_import_makes_no_look_up(lookups: list[int]) -> None:
    feed = factories.feed(options={"observed_at": "2026-11-20T10:00:00Z"})
    run = storage.ingest(feed, factories.lines("a.xa", "b.xa", "a.xa"))
    assert (run.accepted, run.duplicates) == (2, 1)  # the repeat inside the run still goes
    assert lookups == []


def test_a_later_run_within_the_window_looks_up_and_drops_repeats(lookups: list[int]) -> None:
    feed = factories.feed(options={"observed_at": "2026-11-20T10:00:00Z"})
    storage.ingest(feed, factories.lines("a.xa", "b.xa"))
    run = storage.ingest(_observed(feed, "2026-11-20T15:00:00Z"), factories.lines("a.xa", "c.xa"))
    assert (run.accepted, run.duplicates) == (1, 1)
    assert lookups == [2]


def test_a_backfill_clear_of_the_stored_span_makes_no_look_up(lookups: list[int]) -> None:
    feed = factories.feed(options={"observed_at": "2026-11-20T10:00:00Z"})
    storage.ingest(feed, factories.lines("a.xa"))
    old = storage.ingest(_observed(feed, "2026-10-01T10:00:00Z"), factories.lines("a.xa", "b.xa"))
    assert (old.accepted, old.duplicates) == (2, 0)
    assert lookups == []
    # Just inside the window (24 hours) of the stored events: looked up, and a repeat.
    near = storage.ingest(_observed(feed, "2026-11-21T09:00:00Z"), factories.lines("a.xa"))
    assert (near.accepted, near.duplicates) == (0, 1)
    assert lookups == [1]
    assert Event.objects.filter(feed=feed).count() == 3


def test_another_feeds_events_do_not_count() -> None:
    one = factories.feed("one", options={"observed_at": "2026-11-20T10:00:00Z"})
    two = factories.feed("two", options={"observed_at": "2026-11-20T10:00:00Z"})
    storage.ingest(one, factories.lines("a.xa"))
    assert dedupe.stored_span(two.pk) is None
    assert storage.ingest(two, factories.lines("a.xa")).accepted == 1
