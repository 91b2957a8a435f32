"""Batches loaded side by side on connections of their own (PostgreSQL, autocommit only).

These tests commit for real (``transactional_db``): the writer connections cannot see what a
test transaction has not committed. They show that every line is counted once across
concurrent writers, that the aggregates kept match a rebuild from the stored events, that a
refused batch is rolled back whole with the error raised and nothing committed is miscounted,
and that inside a transaction the caller's own connection is used instead.
"""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from dnscert.intel import aggregation, storage, writer_pool
from dnscert.intel.models import DailyAggregate, Event, FailedRecord
from dnscert.intel.schema import FailedRecord as ParseFailure
from tests.intel.app import factories
from tests.intel.app.factories import event_row

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="writer connections are for PostgreSQL"
    ),
]


def _figures() -> set[tuple[date, str, str, int, int]]:
    return {
        (row.day, row.dimension, row.key, row.count, row.new_registrations)
        for row in DailyAggregate.objects.all()
    }


def test_a_file_loads_through_several_writers_counted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DNSCERT_INTEL_BATCH_SIZE", "40")
    monkeypatch.setenv("DNSCERT_INTEL_WRITERS", "3")
    monkeypatch.setattr("dnscert.intel.parallel.DEFAULT_CHUNK_BYTES", 4096)
    factories.registry("xa")
    factories.registrar(9001, "Example Registrar")
    factories.registration("site7.xa", "Example Registrar", 9001, factories.EVENT_TIME)
    lines = [
        f'"{n}","2026-11-{1 + n % 5:02d} 10:00:00","http://site{n % 90}.xa/p{n}","online","",'
        f'"malware_download","exe","https://urlhaus.abuse.ch/url/{n}/","test"'
        if n % 50
        else "not a record"
        for n in range(1, 1001)
    ]
    path = tmp_path / "urlhaus.csv"
    header = "# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n"
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    assert writer_pool.usable(3)

    run = storage.ingest_file(factories.feed("pooled", "urlhaus"), path)

    assert run.status == "succeeded", run.error
    assert run.records == 1000
    assert run.failed == 20
    assert run.accepted + run.duplicates == 980
    assert Event.objects.filter(run=run).count() == run.accepted
    times = Event.objects.filter(run=run).values_list("time_source", flat=True)
    assert {moment.astimezone(UTC).hour for moment in times} == {10}  # stored as given, in UTC
    assert FailedRecord.objects.filter(run=run).count() == 20
    attributed = Event.objects.filter(run=run, source_domain="site7.xa")
    assert attributed.exists()
    assert set(attributed.values_list("registrar_iana_id", flat=True)) == {9001}
    kept = _figures()
    feed_total = sum(count for _d, dimension, _k, count, _n in kept if dimension == "feed")
    assert feed_total == run.accepted
    DailyAggregate.objects.all().delete()
    aggregation.rebuild_days(date(2026, 11, 1), date(2026, 11, 30))
    assert _figures() == kept


def test_a_refused_batch_is_rolled_back_and_the_error_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DNSCERT_INTEL_BATCH_SIZE", "5")
    monkeypatch.setenv("DNSCERT_INTEL_WRITERS", "2")
    run = storage.start_run(factories.feed("refused-pool", "plain"))
    failure = ParseFailure("refused-pool", 6, "bad line", "cannot parse", "parser")
    store = storage.EventStore(run)
    # A negative ASN breaks the table's check constraint: the database refuses that batch.
    with pytest.raises(DatabaseError, match="source_asn"), store:
        store.add([event_row(run, number) for number in range(5)], [])
        mixed = [event_row(run, 5), event_row(run, 6, asn=-1), event_row(run, 7)]
        store.add([*mixed, event_row(run, 8)], [failure])
        for start in range(10, 200, 5):  # the error surfaces on a later hand-over or on close
            store.add([event_row(run, number) for number in range(start, start + 5)], [])
        store.close()
    stored = set(Event.objects.filter(run=run).values_list("source_fqdn", flat=True))
    refused = {f"host{number}.xa" for number in (5, 6, 7, 8)}
    assert not stored & refused
    assert {f"host{number}.xa" for number in range(5)} <= stored
    assert store.accepted == len(stored)  # committed batches only, each counted once
    assert not FailedRecord.objects.filter(run=run).exists()  # it was in the refused batch


def test_inside_a_transaction_the_callers_connection_writes() -> None:
    run = storage.start_run(factories.feed("in-transaction", "plain"))
    with transaction.atomic():
        assert not writer_pool.usable(2)
        with storage.EventStore(run) as store:
            store.add([event_row(run, number) for number in range(3)], [])
        assert store._pool is None
        assert Event.objects.filter(run=run).count() == 3
    assert store.accepted == 3


def test_no_writer_connections_means_the_callers_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DNSCERT_INTEL_WRITERS", "0")
    run = storage.start_run(factories.feed("no-writers", "plain"))
    with storage.EventStore(run) as store:
        store.add([event_row(run, number) for number in range(3)], [])
        assert store._pool is None
    assert Event.objects.filter(run=run).count() == 3
