"""Batches written while the next one is prepared: order, commits, refusals, callbacks.

On PostgreSQL each batch is copied by a background thread while the storage service prepares
the next; these tests hold on both databases (``make test`` runs them on SQLite and again on
PostgreSQL) and show that a refused batch is rolled back whole, with the error raised, and
that nothing handed over before it is lost.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import DatabaseError

from dnscert.intel import copytext, rows, storage
from dnscert.intel.models import Event, FailedRecord
from dnscert.intel.schema import FailedRecord as ParseFailure
from tests.intel.app import factories
from tests.intel.app.factories import event_row

pytestmark = pytest.mark.django_db


def test_batches_are_committed_in_order_and_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DNSCERT_INTEL_BATCH_SIZE", "10")
    run = storage.start_run(factories.feed("batches", "plain"))
    with storage.EventStore(run) as store:
        for start in range(0, 35, 5):
            store.add([event_row(run, number) for number in range(start, start + 5)], [])
    assert store.accepted == 35
    stored = Event.objects.filter(run=run)
    assert stored.count() == 35
    event = stored.get(source_fqdn="host7.xa")
    assert event.source_url == "http://host7.xa/a\tb\\c"
    assert event.raw == "line 7\twith a tab\nand a line break"
    assert event.source_asn == 64500


def test_a_batch_is_stored_in_time_order_with_ties_in_input_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DNSCERT_INTEL_BATCH_SIZE", "100")
    run = storage.start_run(factories.feed("time-order", "plain"))
    minutes = [30, 5, 20, 5, 0, 20, 10]
    batch = []
    for number, minute in enumerate(minutes):
        row = event_row(run, number)
        row[rows.TIME] = factories.EVENT_TIME + timedelta(minutes=minute)
        batch.append(row)
    with storage.EventStore(run) as store:
        store.add(batch, [])
    stored = Event.objects.filter(run=run).order_by("id").values_list("source_fqdn", flat=True)
    # host1 and host3 share 5 minutes, host2 and host5 share 20: each pair keeps its order.
    expected = ["host4.xa", "host1.xa", "host3.xa", "host6.xa", "host2.xa", "host5.xa", "host0.xa"]
    assert list(stored) == expected


def test_a_refused_batch_is_rolled_back_and_earlier_ones_are_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DNSCERT_INTEL_BATCH_SIZE", "5")
    run = storage.start_run(factories.feed("refused", "plain"))
    failure = ParseFailure("refused", 3, "bad line", "cannot parse", "parser")
    # A negative ASN breaks the table's check constraint: the database refuses that batch.
    with pytest.raises(DatabaseError, match="source_asn"), storage.EventStore(run) as store:
        store.add([event_row(run, number) for number in range(5)], [])
        mixed = [event_row(run, 5), event_row(run, 6, asn=-1), event_row(run, 7)]
        store.add([*mixed, event_row(run, 8)], [])
        store.add([event_row(run, 9)], [failure])
        store.close()
    kept = sorted(Event.objects.filter(run=run).values_list("source_fqdn", flat=True))
    assert kept == [f"host{number}.xa" for number in range(5)]
    assert store.accepted == 5
    assert not FailedRecord.objects.filter(run=run).exists()


def test_leaving_by_an_error_keeps_the_batch_already_handed_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DNSCERT_INTEL_BATCH_SIZE", "5")
    run = storage.start_run(factories.feed("interrupted", "plain"))
    with pytest.raises(RuntimeError, match="parser crashed"), storage.EventStore(run) as store:
        store.add([event_row(run, number) for number in range(5)], [])
        store.add([event_row(run, 5)], [])  # buffered, not handed over
        raise RuntimeError("parser crashed")
    assert Event.objects.filter(run=run).count() == 5


def test_the_progress_callback_may_query_the_database_while_a_batch_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DNSCERT_INTEL_BATCH_SIZE", "50")
    monkeypatch.setattr("dnscert.intel.parallel.DEFAULT_CHUNK_BYTES", 2048)
    path = tmp_path / "urls.txt"
    path.write_text("".join(f"http://site{n}.xa/login\n" for n in range(600)), encoding="utf-8")
    seen: list[int] = []

    def progress(size: int) -> None:
        seen.append(Event.objects.count())  # waits for the batch in flight, never deadlocks

    run = storage.ingest_file(factories.feed("progress", "openphish"), path, on_progress=progress)
    assert run.accepted == 600
    assert len(seen) > 3
    assert seen == sorted(seen)
    assert seen[-1] <= 600


def test_copy_text_escapes_free_text_and_marks_nulls() -> None:
    feed = factories.feed("copytext", "plain")
    run = storage.start_run(feed)
    row = event_row(run, 1, asn=None)
    base = copytext.copy_base(row)
    assert "\\t" in base and "\\n" in base and "\\\\c" in base
    assert base.count("\t") == len(copytext.COPY_ORDER) - 6
    assert copytext.copy_attribution(row) == "\t\t\\N\t\\N\t\\N\t\\N\n"
    row[rows.REGISTRY_ORG] = 42
    assert copytext.copy_attribution(row) == "\t\t\\N\t\\N\t42\t\\N\n"
    row[rows.REGISTRAR_NAME], row[rows.REGISTRAR_IANA_ID] = "Tab\tRegistrar", 9001
    assert copytext.copy_attribution(row) == "\tTab\\tRegistrar\t9001\t\\N\t42\t\\N\n"
