"""Batches written on PostgreSQL connections of their own, several at once.

One COPY stream keeps one server process busy, and the storage service would wait for it:
loading the event table with its indexes costs the server more than parsing costs the
platform. A :class:`WriterPool` hands batches to a few threads, each with its own connection,
so that several server processes load batches side by side while this process prepares the
next ones. Each batch is one transaction on its connection: its events, its failed lines and
its aggregate counts, committed together or not at all. Aggregate rows are upserted in key
order, so two writers counting the same days wait for each other but never deadlock.

A connection of its own cannot see what the caller's connection has not committed, so the
pool is only for a caller in autocommit mode (:func:`usable`); inside a transaction, batches
go through the caller's own connection (:mod:`dnscert.intel.writer`).
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection


@dataclass
class WriteBatch:
    """One transaction's worth: COPY data of events, failed lines and aggregate upserts."""

    events: bytes
    event_count: int
    failures: Sequence[Sequence[Any]] = ()
    aggregates: Sequence[Sequence[Any]] = ()


@dataclass(frozen=True)
class Statements:
    """The SQL a writer runs, made once on the caller's connection (quoting is per backend)."""

    copy_events: str
    insert_failure: str
    upsert_aggregate: str


def usable(writers: int) -> bool:
    """True when batches may go through a pool of ``writers`` connections of their own."""
    return writers > 0 and connection.vendor == "postgresql" and not connection.in_atomic_block


@dataclass
class _Progress:
    accepted: int = 0
    error: BaseException | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class WriterPool:
    """``writers`` threads, each writing whole batches on a PostgreSQL connection of its own.

    :meth:`submit` queues a batch (waiting while every writer is busy and the queue is full)
    and raises the first error a writer met; :meth:`close` waits for every batch handed over
    and raises that error too. After an error, batches not yet begun are dropped, not
    written; :attr:`accepted` counts the events of committed batches only.
    """

    def __init__(self, writers: int, statements: Statements) -> None:
        self.statements = statements
        self._params = connection.get_connection_params()
        self._queue: queue.Queue[WriteBatch | None] = queue.Queue(maxsize=writers)
        self._progress = _Progress()
        self._threads = [
            threading.Thread(target=self._loop, name=f"event-writer-{n}", daemon=True)
            for n in range(writers)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def accepted(self) -> int:
        """Events in committed batches so far."""
        return self._progress.accepted

    def submit(self, batch: WriteBatch) -> None:
        """Hand ``batch`` to the next free writer; raises what a writer met before."""
        self._raise_error()
        self._queue.put(batch)

    def close(self, *, raise_error: bool = True) -> None:
        """Wait until every batch handed over is committed (or dropped after an error)."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
        if raise_error:
            self._raise_error()

    def _raise_error(self) -> None:
        error = self._progress.error
        if error is not None:
            self._progress.error = None
            with connection.wrap_database_errors:  # as Django's own queries raise them
                raise error

    def _loop(self) -> None:
        database = None
        try:
            while (batch := self._queue.get()) is not None:
                if self._progress.error is not None:
                    continue  # the run stops at the first refused batch
                try:
                    if database is None:
                        database = self._connect()
                    self._write(database, batch)
                except BaseException as exc:  # handed to the caller by submit() or close()
                    with self._progress.lock:
                        if self._progress.error is None:
                            self._progress.error = exc
                    if database is not None:
                        database.close()
                        database = None
        finally:
            if database is not None:
                database.close()

    def _connect(self) -> Any:
        """A connection like Django's own: its settings and options, UTC as the session zone."""
        database = connection.get_new_connection(self._params)
        database.execute("SET TIME ZONE 'UTC'")
        database.commit()
        return database

    def _write(self, database: Any, batch: WriteBatch) -> None:
        statements = self.statements
        try:
            with database.cursor() as cursor:
                if batch.events:
                    with cursor.copy(statements.copy_events) as copy:
                        copy.write(batch.events)
                if batch.failures:
                    cursor.executemany(statements.insert_failure, batch.failures)
                # Last, so the aggregate rows stay locked only briefly: a writer upserting
                # the same days waits for this commit, not for this whole batch.
                if batch.aggregates:
                    cursor.executemany(statements.upsert_aggregate, batch.aggregates)
            database.commit()
        except BaseException:
            with contextlib.suppress(Exception):  # the connection may be gone; it is closed
                database.rollback()
            raise
        with self._progress.lock:
            self._progress.accepted += batch.event_count
