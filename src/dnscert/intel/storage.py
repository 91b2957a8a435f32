"""The storage service: stream a feed through the pipeline into the database, in batches.

:func:`ingest` is the one way data enters: parse -> pure experts (IP, IDN, PSL, taxonomy,
in-run dedupe) -> rows -> dedupe against stored events -> registrar and directory attribution
-> bulk write -> daily aggregates, one transaction per batch. Every record ends up counted
exactly once on the :class:`~dnscert.intel.models.IngestRun`: accepted (stored), failed
(stored as a :class:`~dnscert.intel.models.FailedRecord` with the reason) or duplicate.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from dnscert.core.audit import Action, record
from dnscert.core.choices import TLP
from dnscert.core.exceptions import DnscertError
from dnscert.intel import conf, parallel, pipeline, sources, writer_pool
from dnscert.intel import models as m
from dnscert.intel.aggregation import AggregateCounter, upsert_rows, upsert_statement
from dnscert.intel.attribution import Attributor
from dnscert.intel.choices import RunStatus
from dnscert.intel.copytext import is_prepared, prepared
from dnscert.intel.dedupe import drop_stored_duplicates, stored_span
from dnscert.intel.feeds.records import Item, Lines
from dnscert.intel.rows import RowDedupe, clean_text, row_time, to_row
from dnscert.intel.schema import FailedRecord
from dnscert.intel.writer import (
    PendingWrite,
    copy_data,
    copy_statement,
    start_write,
    uses_copy,
)
from dnscert.intel.writer_pool import Statements, WriteBatch, WriterPool

logger = logging.getLogger(__name__)

#: Longest raw text kept on a failed record; the reason says when it was cut.
MAX_FAILED_RAW = 65536
STORAGE_STAGE = "storage"


def start_run(feed: m.Feed, *, source: str = "", by: Any = None) -> m.IngestRun:
    """A new running :class:`IngestRun` of ``feed``."""
    user = by if getattr(by, "is_authenticated", False) else None
    return m.IngestRun.objects.create(feed=feed, source=source[:500], started_by=user)


def ingest(
    feed: m.Feed,
    lines: Lines,
    *,
    source: str = "",
    by: Any = None,
    options: Mapping[str, Any] | None = None,
) -> m.IngestRun:
    """Parse, enrich, dedupe and store ``lines`` as one run of ``feed``; the finished run.

    ``options`` override the feed's parser options for this run only (e.g. ``observed_at``
    when loading an old file). A problem that stops the whole input (unknown parser option,
    network error, unreadable file) finishes the run as failed with the error; nothing
    already stored is lost.
    """
    run = start_run(feed, source=source, by=by)
    return ingest_into(run, lines, options=options)


def ingest_into(
    run: m.IngestRun, lines: Lines, *, options: Mapping[str, Any] | None = None
) -> m.IngestRun:
    """Run the pipeline over ``lines`` into the already started ``run``."""
    feed = run.feed
    stats = pipeline.PipelineStats()
    window = conf.dedupe_window_seconds()
    store = EventStore(run)
    with _stopped_by(store) as stop:
        items = pipeline.run(
            feed.parser,
            lines,
            pipeline.default_experts(float(window) if window > 0 else None),
            feed_name=feed.name,
            options={**feed.options, **(options or {})},
            stats=stats,
        )
        store.consume(items)
    return finish_run(run, Counts.of(stats), store, error=stop.error)


def ingest_file(
    feed: m.Feed,
    path: str | Path,
    *,
    workers: int = 2,
    source: str = "",
    by: Any = None,
    on_progress: Callable[[int], None] | None = None,
) -> m.IngestRun:
    """Ingest a (large, plain-text) file with ``workers`` processes parsing and enriching.

    Chunks are parsed in parallel (:mod:`dnscert.intel.parallel`); this process dedupes,
    attributes and writes, in input order. ``on_progress`` gets the bytes done after each chunk.
    A gzip file cannot be cut into ranges: it is read by this process alone. ``on_progress``
    may run while a batch loads; if it queries the database, it waits for that batch.
    """
    if sources.is_gzip(path):
        return ingest(feed, sources.file_lines(path), source=source or str(path), by=by)
    run = start_run(feed, source=source or str(path), by=by)
    counts = Counts()
    dedupe = RowDedupe(float(conf.dedupe_window_seconds()))
    store = EventStore(run)
    with _stopped_by(store) as stop:
        pieces = parallel.chunks(str(path), feed.parser, feed.name, feed.options)
        results = parallel.run_parallel(
            pieces, workers=workers, feed_id=feed.pk, run_id=run.pk, copy_text=uses_copy()
        )
        for result in results:
            fresh = dedupe.fresh(result.rows)
            counts.records += result.records
            counts.failed += len(result.failures)
            counts.duplicates += len(result.rows) - len(fresh)
            store.add(fresh, result.failures)
            if on_progress is not None:
                on_progress(result.size)
    return finish_run(run, counts, store, error=stop.error)


@dataclass
class _Stop:
    """What ended a run early ("" when nothing did)."""

    error: str = ""


@contextlib.contextmanager
def _stopped_by(store: EventStore) -> Iterator[_Stop]:
    """Use ``store`` for the body; record what stops the run instead of raising it.

    A problem that stops the input (bad option, network, unreadable file) is recorded, and
    what was read before it is still written. A batch the database refuses is recorded too;
    the batches committed before it are kept.
    """
    stop = _Stop()
    try:
        with store:
            try:
                yield stop
            except (DnscertError, OSError, EOFError) as exc:
                stop.error = str(exc)
    except DatabaseError as exc:
        stop.error = refusal(exc)


def refusal(exc: DatabaseError) -> str:
    """The error of a run whose batch the database refused; the batches before it are kept."""
    return f"the database refused a batch: {exc}".strip()


@dataclass
class Counts:
    """Records read and the parser's and in-run dedupe's verdicts."""

    records: int = 0
    failed: int = 0
    duplicates: int = 0

    @classmethod
    def of(cls, stats: pipeline.PipelineStats) -> Counts:
        return cls(stats.records, stats.failed, stats.duplicates)


class EventStore:
    """Buffers rows and failures and writes them batch by batch, one transaction per batch.

    On PostgreSQL batches are written in the background while the caller parses the next
    ones. In autocommit mode they go to a :class:`~dnscert.intel.writer_pool.WriterPool`,
    whose connections load several batches at once; inside a transaction they go through the
    caller's connection (:func:`~dnscert.intel.writer.start_write`), one batch in flight,
    committed when the next batch is written or the store is closed. Use it as a context
    manager (or call :meth:`close`): leaving it commits what was handed over, leaving it by an
    exception commits the batches in flight (if the database takes them) but writes nothing
    more. :attr:`accepted` counts the events of committed batches.
    """

    def __init__(self, run: m.IngestRun) -> None:
        self.run = run
        self.batch_size = conf.batch_size()
        self.window = conf.dedupe_window_seconds()
        self.attributor = Attributor()
        self.counter = AggregateCounter(run.feed.name)
        self.rows: list[list[Any]] = []
        self.failures: list[FailedRecord] = []
        self.accepted = 0
        self.stored_duplicates = 0
        self.storage_failures = 0
        self._pending: PendingWrite | None = None
        self._in_flight = 0  # rows of the pending batch, counted as accepted once committed
        self._transaction: transaction.Atomic | None = None
        self._writers = conf.writer_connections()
        self._pool: WriterPool | None = None
        # Taken before this run writes: only events of earlier runs can be repeated.
        self._span = stored_span(run.feed_id) if self.window > 0 else None

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, kind: Any, exc: BaseException | None, traceback: Any) -> None:
        if exc is None:
            self.close()
        else:  # keep the batches already handed over; the buffered rest is not written
            self._finish_pending()
            self._close_pool(raise_error=False)

    def consume(self, items: Iterable[Item]) -> None:
        """Buffer every item of ``items``, writing whenever a batch is full."""
        feed_id, run_id = self.run.feed_id, self.run.pk
        for item in items:
            if isinstance(item, FailedRecord):
                self.failures.append(item)
            else:
                try:
                    self.rows.append(to_row(item, feed_id, run_id))
                except (KeyError, TypeError, ValueError) as exc:
                    self.storage_failures += 1
                    self.failures.append(_storage_failure(item, exc))
            if len(self.rows) + len(self.failures) >= self.batch_size:
                self.flush()

    def add(self, rows: list[list[Any]], failures: list[FailedRecord]) -> None:
        """Buffer rows and failures made elsewhere (worker processes)."""
        self.rows.extend(rows)
        self.failures.extend(failures)
        if len(self.rows) + len(self.failures) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows and failures as one transaction."""
        rows, failures = self.rows, self.failures
        self.rows, self.failures = [], []
        if uses_copy():  # formatting needs no database: done while the previous batch loads
            for row in rows:
                if not is_prepared(row):
                    prepared(row)
        pool = self._writer_pool() if rows or failures else self._pool
        if pool is None:
            self._finish_pending()
        if not rows and not failures:
            return
        fresh = drop_stored_duplicates(rows, self.window, self._span) if self._span else rows
        self.stored_duplicates += len(rows) - len(fresh)
        self.attributor.attribute(fresh)
        # In time order, each index on (key, time) takes a batch near the end of each key's
        # range rather than at random places: the database's load costs a sixth less.
        fresh.sort(key=row_time)
        if pool is not None:
            self.counter.count(fresh)
            failed = [failure_values(self.run.pk, failure) for failure in failures]
            aggregates = upsert_rows(self.counter.take())
            pool.submit(WriteBatch(copy_data(fresh), len(fresh), failed, aggregates))
            return
        self._transaction = transaction.atomic()
        self._transaction.__enter__()
        try:
            write_failures(self.run, failures)
            self.counter.count(fresh)
            self.counter.flush()
            self._pending = start_write(fresh)
        except BaseException as exc:
            self._abort(exc)
            raise
        self._in_flight = len(fresh)

    def close(self) -> None:
        """Write what is buffered and wait until every batch is committed."""
        self.flush()
        self._finish_pending()
        self._close_pool(raise_error=True)

    def _writer_pool(self) -> WriterPool | None:
        """The pool of writer connections, started on the first batch when it is usable."""
        if self._pool is None and writer_pool.usable(self._writers):
            statements = Statements(copy_statement(), failure_statement(), upsert_statement())
            self._pool = WriterPool(self._writers, statements)
        return self._pool

    def _close_pool(self, *, raise_error: bool) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            pool.close(raise_error=raise_error)
        finally:
            self.accepted += pool.accepted

    def _finish_pending(self) -> None:
        if self._transaction is None:
            return
        try:
            if self._pending is not None:
                self._pending.finish()
        except BaseException as exc:
            self._abort(exc)
            raise
        atomic, self._transaction, self._pending = self._transaction, None, None
        atomic.__exit__(None, None, None)
        self.accepted += self._in_flight
        self._in_flight = 0

    def _abort(self, exc: BaseException) -> None:
        """Roll back the batch in flight; its rows are not counted as accepted."""
        if self._transaction is None:
            return
        atomic, pending = self._transaction, self._pending
        self._transaction = self._pending = None
        self._in_flight = 0
        try:
            if pending is not None:
                pending.abort()
        finally:
            atomic.__exit__(type(exc), exc, exc.__traceback__)


def _storage_failure(event: dict[str, Any], exc: Exception) -> FailedRecord:
    return FailedRecord(
        str(event.get("feed.name", "")),
        int(event.get("feed.line", 0) or 0),
        str(event.get("raw", "")),
        f"event cannot be stored: {type(exc).__name__}: {exc}",
        STORAGE_STAGE,
    )


def write_failures(run: m.IngestRun, failures: Iterable[FailedRecord]) -> int:
    """Store failed records of ``run`` (raw text cut to :data:`MAX_FAILED_RAW`)."""
    objects = [
        m.FailedRecord(run=run, line_number=line, raw=raw, reason=reason, stage=stage)
        for _run_id, line, raw, reason, stage in (
            failure_values(run.pk, failure) for failure in failures
        )
    ]
    m.FailedRecord.objects.bulk_create(objects, batch_size=1000)
    return len(objects)


def failure_statement() -> str:
    """The statement that inserts one :func:`failure_values` row."""
    quote = connection.ops.quote_name
    columns = ", ".join(map(quote, ("run_id", "line_number", "raw", "reason", "stage")))
    table = quote(m.FailedRecord._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)"


def failure_values(run_id: int, failure: FailedRecord) -> tuple[int, int, str, str, str]:
    """``(run id, line, raw, reason, stage)`` of a failed record as stored: the raw text cut
    to :data:`MAX_FAILED_RAW` (the reason then says so), NUL characters shown."""
    raw, reason = failure.raw, failure.reason
    if len(raw) > MAX_FAILED_RAW:
        reason = f"{reason} (raw kept: first {MAX_FAILED_RAW} of {len(raw)} characters)"
        raw = raw[:MAX_FAILED_RAW]
    return run_id, max(failure.line, 0), clean_text(raw), clean_text(reason), failure.stage[:32]


def finish_run(
    run: m.IngestRun, counts: Counts, store: EventStore, *, error: str = ""
) -> m.IngestRun:
    """Record the counters and outcome of ``run`` and add them to its feed."""
    run.records = counts.records
    run.accepted = store.accepted
    run.failed = counts.failed + store.storage_failures
    run.duplicates = counts.duplicates + store.stored_duplicates
    return close_run(run, error=error)


def close_run(run: m.IngestRun, *, error: str = "") -> m.IngestRun:
    """Finish ``run`` (failed when ``error``), update its feed's counters, audit it."""
    run.finished_at = timezone.now()
    run.status = RunStatus.FAILED if error else RunStatus.SUCCEEDED
    run.error = error
    run.save()
    m.Feed.objects.filter(pk=run.feed_id).update(
        last_run_at=run.started_at,
        last_error=error,
        accepted_count=F("accepted_count") + run.accepted,
        failed_count=F("failed_count") + run.failed,
        duplicate_count=F("duplicate_count") + run.duplicates,
        error_count=F("error_count") + (1 if error else 0),
    )
    record(
        run.started_by,
        Action.IMPORT,
        run,
        changes={"accepted": run.accepted, "failed": run.failed, "duplicates": run.duplicates},
        tlp=TLP.AMBER,
    )
    if error:
        logger.warning("ingest run %s of feed %s failed: %s", run.pk, run.feed.name, error)
    return run


def fail_run(run: m.IngestRun, error: str) -> m.IngestRun:
    """Finish ``run`` as failed before any line was read."""
    return close_run(run, error=error)
