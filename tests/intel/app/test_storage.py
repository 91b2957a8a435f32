"""The storage service: a file becomes attributed, deduplicated, aggregated events."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from dnscert.intel import rows, storage
from dnscert.intel.choices import Dimension, RunStatus
from dnscert.intel.models import DailyAggregate, Event, FailedRecord, Feed
from dnscert.intel.sources import file_lines
from tests.intel.app import factories

pytestmark = pytest.mark.django_db

OBSERVED = {"observed_at": "2026-11-20T12:00:00+00:00", "classification_type": "phishing"}


def _aggregate(dimension: str, key: str) -> DailyAggregate:
    return DailyAggregate.objects.get(day=date(2026, 11, 20), dimension=dimension, key=key)


def test_it_stores_attributed_and_aggregated_events_from_a_file() -> None:
    registry_xa = factories.registry("xa")
    names = factories.registrar(9001, "Example Names Registrar")
    factories.registration(
        "registrar-renewal.xa", "Example Names Registrar", 9001, datetime(2026, 11, 10, tzinfo=UTC)
    )
    feed = factories.feed(options=OBSERVED)
    run = storage.ingest(feed, file_lines(factories.SAMPLES / "mixed_feed.txt"), source="mixed")

    assert run.status == RunStatus.SUCCEEDED
    assert run.records == run.accepted + run.failed + run.duplicates
    assert run.failed == FailedRecord.objects.filter(run=run).count() >= 2
    assert run.duplicates == 2  # registrar-renewal.xa twice; bücher-shop.xb in both forms
    attributed = Event.objects.filter(source_domain="registrar-renewal.xa")
    assert attributed.count() == 3
    assert {event.registrar_org_id for event in attributed} == {names.pk}
    assert {event.registry_org_id for event in attributed} == {registry_xa.pk}
    assert all(event.registrar_iana_id == 9001 for event in attributed)
    assert all(event.raw for event in Event.objects.all())

    assert _aggregate(Dimension.REGISTRAR, "9001").count == 3
    assert _aggregate(Dimension.REGISTRAR, "9001").new_registrations == 3
    assert _aggregate(Dimension.TLD, "xa").count == 3
    assert _aggregate(Dimension.FEED, "mixed").count == run.accepted
    assert _aggregate(Dimension.CATEGORY, "phishing").count == run.accepted
    feed.refresh_from_db()
    assert feed.accepted_count == run.accepted and feed.last_run_at is not None


def test_it_keeps_every_failed_line_with_its_reason() -> None:
    feed = factories.feed(options=OBSERVED)
    run = storage.ingest(feed, factories.lines("good.xa", "bad name with spaces", "xn--zz-bad.xd"))
    failures = list(FailedRecord.objects.filter(run=run).order_by("line_number"))
    assert [failure.line_number for failure in failures] == [2, 3]
    assert failures[0].raw == "bad name with spaces" and "words" in failures[0].reason
    assert "IDNA" in failures[1].reason and failures[1].stage == "idn"


def test_it_drops_repeats_of_stored_events_within_the_window() -> None:
    feed = factories.feed(options=OBSERVED)
    first = storage.ingest(feed, factories.lines("a.xa", "b.xa"))
    second = storage.ingest(feed, factories.lines("a.xa", "c.xa"))
    assert (first.accepted, second.accepted, second.duplicates) == (2, 1, 1)
    assert Event.objects.count() == 3
    assert _aggregate(Dimension.FEED, "mixed").count == 3


def test_it_reports_a_new_repeat_after_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DNSCERT_INTEL_DEDUPE_HOURS", "1")
    feed = factories.feed(options={"observed_at": "2026-11-20T10:00:00Z"})
    assert storage.ingest(feed, factories.lines("a.xa")).accepted == 1
    Feed.objects.filter(pk=feed.pk).update(options={"observed_at": "2026-11-20T10:30:00Z"})
    feed.refresh_from_db()
    assert storage.ingest(feed, factories.lines("a.xa")).duplicates == 1
    Feed.objects.filter(pk=feed.pk).update(options={"observed_at": "2026-11-20T12:00:00Z"})
    feed.refresh_from_db()
    assert storage.ingest(feed, factories.lines("a.xa")).accepted == 1


@pytest.mark.django_db(transaction=True)  # autocommit, as the CLI and the jobs load
@pytest.mark.parametrize("through", ["lines", "file"])
def test_a_refused_batch_fails_the_run_and_keeps_the_batches_before_it(
    through: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DNSCERT_INTEL_BATCH_SIZE", "10")
    monkeypatch.setattr("dnscert.intel.parallel.DEFAULT_CHUNK_BYTES", 200)
    path = tmp_path / "urls.txt"
    path.write_text("".join(f"http://site{n}.xa/login\n" for n in range(60)), encoding="utf-8")
    batches: list[set[str]] = []
    attribute = storage.Attributor.attribute

    def refused_second_batch(self: storage.Attributor, batch: list[list[Any]]) -> None:
        attribute(self, batch)
        batches.append({row[rows.DOMAIN] for row in batch})
        if len(batches) == 2:
            batch[-1][rows.REGISTRAR_IANA_ID] = -1  # the check constraint refuses this batch

    monkeypatch.setattr(storage.Attributor, "attribute", refused_second_batch)
    feed = factories.feed("refusing", "plain", options=OBSERVED)
    if through == "file":
        run = storage.ingest_file(feed, path, workers=1)
    else:
        run = storage.ingest(feed, file_lines(path))

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error.startswith("the database refused a batch:")
    assert "registrar_iana_id" in run.error
    stored = set(Event.objects.filter(run=run).values_list("source_domain", flat=True))
    assert len(stored) == run.accepted
    # Other writers may commit batches handed over after the refused one; never part of it.
    assert batches[0] <= stored and not stored & batches[1]
    feed.refresh_from_db()
    assert feed.error_count == 1 and feed.accepted_count == run.accepted
