"""The storage service: stream a feed through the pipeline into the database, in batches.

:func:`ingest` is the one way data enters: parse -> pure experts (IP, IDN, PSL, taxonomy,
in-run dedupe) -> rows -> dedupe against stored events -> registrar and directory attribution
-> bulk write -> daily aggregates, one transaction per batch. Every record ends up counted
exactly once on the :class:`~dnscert.intel.models.IngestRun`: accepted (stored), failed
(stored as a :class:`~dnscert.intel.models.FailedRecord` with the reason) or duplicate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dnscert.core.audit import Action, record
from dnscert.core.choices import TLP
from dnscert.core.exceptions import DnscertError
from dnscert.intel import conf, parallel, pipeline, sources
from dnscert.intel import models as m
from dnscert.intel.aggregation import AggregateCounter
from dnscert.intel.attribution import Attributor
from dnscert.intel.choices import RunStatus
from dnscert.intel.dedupe import drop_stored_duplicates
from dnscert.intel.feeds.records import Item, Lines
from dnscert.intel.rows import RowDedupe, clean_text, to_row
from dnscert.intel.schema import FailedRecord
from dnscert.intel.writer import write_events

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
    store = EventStore(run)
    window = conf.dedupe_window_seconds()
    try:
        items = pipeline.run(
            feed.parser,
            lines,
            pipeline.default_experts(float(window) if window > 0 else None),
            feed_name=feed.name,
            options={**feed.options, **(options or {})},
            stats=stats,
        )
        store.consume(items)
        store.flush()
    except (DnscertError, OSError, EOFError) as exc:
        store.flush()
        return finish_run(run, Counts.of(stats), store, error=str(exc))
    return finish_run(run, Counts.of(stats), store)


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
    A gzip file cannot be cut into ranges: it is read by this process alone.
    """
    if sources.is_gzip(path):
        return ingest(feed, sources.file_lines(path), source=source or str(path), by=by)
    run = start_run(feed, source=source or str(path), by=by)
    store = EventStore(run)
    counts = Counts()
    dedupe = RowDedupe(float(conf.dedupe_window_seconds()))
    try:
        pieces = parallel.chunks(str(path), feed.parser, feed.name, feed.options)
        results = parallel.run_parallel(pieces, workers=workers, feed_id=feed.pk, run_id=run.pk)
        for result in results:
            fresh = dedupe.fresh(result.rows)
            counts.records += result.records
            counts.failed += len(result.failures)
            counts.duplicates += len(result.rows) - len(fresh)
            store.add(fresh, result.failures)
            if on_progress is not None:
                on_progress(result.size)
        store.flush()
    except (DnscertError, OSError, EOFError) as exc:
        store.flush()
        return finish_run(run, counts, store, error=str(exc))
    return finish_run(run, counts, store)


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
    """Buffers rows and failures and writes them batch by batch."""

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
        """Write the buffered rows and failures in one transaction."""
        fresh = drop_stored_duplicates(self.rows, self.window)
        self.stored_duplicates += len(self.rows) - len(fresh)
        self.attributor.attribute(fresh)
        with transaction.atomic():
            write_events(fresh)
            write_failures(self.run, self.failures)
            self.counter.count(fresh)
            self.counter.flush()
        self.accepted += len(fresh)
        self.rows, self.failures = [], []


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
    objects = [_failed_row(run, failure) for failure in failures]
    m.FailedRecord.objects.bulk_create(objects, batch_size=1000)
    return len(objects)


def _failed_row(run: m.IngestRun, failure: FailedRecord) -> m.FailedRecord:
    raw, reason = failure.raw, failure.reason
    if len(raw) > MAX_FAILED_RAW:
        reason = f"{reason} (raw kept: first {MAX_FAILED_RAW} of {len(raw)} characters)"
        raw = raw[:MAX_FAILED_RAW]
    return m.FailedRecord(
        run=run,
        line_number=max(failure.line, 0),
        raw=clean_text(raw),
        reason=clean_text(reason),
        stage=failure.stage[:32],
    )


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
