"""Parse and enrich a large feed file on several cores (pure: no Django).

The file is cut into byte ranges that end on line boundaries; each worker process reads its
range (seeking, so nothing is loaded whole), parses it with the feed's parser, runs the pure
experts and turns each event into a database row (:func:`dnscert.intel.rows.to_row`). A
CSV column header is repeated at the start of every range but the first so every worker knows
the columns (:func:`column_header`), and line numbers are shifted back to the file's own.
Results come back in input order, range by range, so memory stays bounded by the number of
ranges in flight.

Only line-oriented formats can be split; JSON documents (MISP, STIX, X-ARF, PhishTank JSON)
are parsed whole in one worker.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from dnscert.intel import pipeline
from dnscert.intel.copytext import prepared
from dnscert.intel.feeds.registry import get
from dnscert.intel.rows import to_row
from dnscert.intel.schema import FailedRecord
from dnscert.intel.sources import bounded_lines

DOCUMENT_PARSERS = frozenset({"misp_feed", "stix", "xarf"})
"""Parsers that read one JSON document: never split."""

DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024
#: Lines a chunk holds at most, about: a file of short lines (bare addresses or names) gets
#: smaller chunks, so the rows of the chunks in flight take about the same memory whatever
#: the lines' length.
CHUNK_LINES = 25_000
_SAMPLE_BYTES = 64 * 1024
_COMMENT = (b"#", b";")


@dataclass(frozen=True)
class Chunk:
    """One byte range of the input, with what its worker needs to know."""

    path: str
    start: int
    end: int
    first_line: int
    header: bytes
    parser: str
    feed_name: str
    options: Mapping[str, Any]


@dataclass
class ChunkResult:
    """What a worker made of one chunk: rows (``rows_wanted``) or only counts, and failures."""

    records: int
    rows: list[list[Any]]
    failures: list[FailedRecord]
    events: int
    size: int
    cpu_seconds: float = 0.0


def split(path: str, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> Iterator[tuple[int, int, int]]:
    """``(start, end, first line number)`` of byte ranges of ``path`` ending on a newline."""
    size = os.path.getsize(path)
    with open(path, "rb") as stream:
        start, line = 0, 1
        while start < size:
            stream.seek(min(start + chunk_bytes, size))
            stream.readline()
            end = min(stream.tell(), size) if start + chunk_bytes < size else size
            yield start, end, line
            line += _count_newlines(stream, start, end)
            start = end


def _count_newlines(stream: Any, start: int, end: int) -> int:
    stream.seek(start)
    count, remaining = 0, end - start
    while remaining > 0:
        block = stream.read(min(remaining, 1 << 20))
        count += block.count(b"\n")
        remaining -= len(block)
    return count


def header_line(path: str) -> bytes:
    """The first line that is not a comment (a CSV header, or the first record)."""
    with open(path, "rb") as stream:
        for line in bounded_lines(stream):
            stripped = line.strip()
            if stripped and not stripped.startswith(_COMMENT):
                return line
    return b""


def column_header(path: str, parser: str, feed_name: str, options: Mapping[str, Any]) -> bytes:
    """The file's first line if ``parser`` reads it as a column header, else ``b""``.

    A header yields nothing when parsed alone; a first line that yields an event or a
    failure is a record, and repeating it at the start of every range would count it again.
    """
    line = header_line(path)
    if not line:
        return b""
    items = list(get(parser)([line], feed_name=feed_name, options=options))
    return b"" if items else line


def _chunk_lines(chunk: Chunk) -> Iterator[bytes]:
    if chunk.start > 0 and chunk.header:
        yield chunk.header
    with open(chunk.path, "rb") as stream:
        stream.seek(chunk.start)
        remaining = chunk.end - chunk.start
        for line in bounded_lines(stream):
            remaining -= len(line)
            yield line
            if remaining <= 0:
                return


def work(
    chunk: Chunk,
    feed_id: int = 0,
    run_id: int | None = None,
    rows_wanted: bool = True,
    copy_text: bool = False,
) -> ChunkResult:
    """Parse and enrich one chunk; rows when ``rows_wanted``, else only the counts.

    With ``copy_text`` the rows come :func:`~dnscert.intel.copytext.prepared` for COPY.
    """
    started = time.process_time()
    stats = pipeline.PipelineStats()
    shift = chunk.first_line - (2 if chunk.start > 0 and chunk.header else 1)
    items = pipeline.run(
        chunk.parser,
        _chunk_lines(chunk),
        pipeline.default_experts(None),
        feed_name=chunk.feed_name,
        options=chunk.options,
        stats=stats,
    )
    rows: list[list[Any]] = []
    failures: list[FailedRecord] = []
    events = 0
    for item in items:
        if isinstance(item, FailedRecord):
            failures.append(_shifted(item, shift))
            continue
        events += 1
        if rows_wanted:
            row = to_row(item, feed_id, run_id)
            rows.append(prepared(row) if copy_text else row)
    cpu = time.process_time() - started
    return ChunkResult(stats.records, rows, failures, events, chunk.end - chunk.start, cpu)


def _shifted(failure: FailedRecord, shift: int) -> FailedRecord:
    return FailedRecord(
        failure.feed, failure.line + shift, failure.raw, failure.reason, failure.stage
    )


def chunks(
    path: str,
    parser: str,
    feed_name: str,
    options: Mapping[str, Any] | None = None,
    chunk_bytes: int | None = None,
) -> Iterator[Chunk]:
    """The chunks of ``path`` (one for document formats), :data:`DEFAULT_CHUNK_BYTES` each."""
    get(parser)  # an unknown parser fails here, before any worker starts
    opts = dict(options or {})
    if parser in DOCUMENT_PARSERS:
        yield Chunk(path, 0, os.path.getsize(path), 1, b"", parser, feed_name, opts)
        return
    header = column_header(path, parser, feed_name, opts)
    for start, end, first_line in split(path, chunk_bytes or chunk_bytes_for(path)):
        yield Chunk(path, start, end, first_line, header, parser, feed_name, opts)


def chunk_bytes_for(path: str) -> int:
    """Bytes per chunk of ``path``: :data:`DEFAULT_CHUNK_BYTES`, or fewer when the lines at
    its start are so short that a chunk would hold more than :data:`CHUNK_LINES` of them."""
    with open(path, "rb") as stream:
        sample = stream.read(_SAMPLE_BYTES)
    lines = sample.count(b"\n")
    if lines == 0:
        return DEFAULT_CHUNK_BYTES
    return max(1, min(DEFAULT_CHUNK_BYTES, len(sample) * CHUNK_LINES // lines))


def _warm() -> None:
    """Load the suffix list when a worker starts rather than on its first chunk."""
    pipeline.default_experts(None)


def run_parallel(
    chunk_iter: Iterator[Chunk],
    *,
    workers: int,
    feed_id: int = 0,
    run_id: int | None = None,
    rows_wanted: bool = True,
    copy_text: bool = False,
) -> Iterator[ChunkResult]:
    """Results of every chunk, in input order, with at most ``2 * workers`` chunks in flight.

    ``copy_text``: rows come :func:`~dnscert.intel.copytext.prepared` for PostgreSQL's COPY.

    Workers come from a fork server (a fresh interpreter), never forked from the caller, so
    they do not inherit its database connections or threads.
    """
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm) as pool:
        pending: list[Future[ChunkResult]] = []
        for chunk in chunk_iter:
            pending.append(pool.submit(work, chunk, feed_id, run_id, rows_wanted, copy_text))
            if len(pending) >= 2 * workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()
