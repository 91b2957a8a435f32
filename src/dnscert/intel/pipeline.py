"""The feed pipeline: collector -> parser -> experts -> output, streaming, with counters.

``run(parser, lines, experts)`` yields every event that made it through the experts and
every failed record (from the parser or from an expert), in input order; duplicates
suppressed by a dedupe expert are only counted. Nothing else is ever dropped, so after a run
``stats.accepted + stats.failed + stats.duplicates == stats.records``.

Everything is a generator: memory stays flat in the input size. ``write_jsonl`` is the plain
output stage (one JSON object per line); the Django side stores events instead.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from dnscert.intel.experts import Expert
from dnscert.intel.experts.dedupe import DedupeExpert
from dnscert.intel.experts.idn import IdnExpert
from dnscert.intel.experts.ip import IpExpert
from dnscert.intel.experts.psl import PslExpert
from dnscert.intel.experts.taxonomy import TaxonomyExpert
from dnscert.intel.feeds.records import Item, Lines
from dnscert.intel.feeds.registry import Parser, get
from dnscert.intel.schema import Event, FailedRecord


@dataclass
class PipelineStats:
    """Counters of one run; ``seconds`` per stage only when timing was asked for."""

    records: int = 0
    accepted: int = 0
    failed: int = 0
    duplicates: int = 0
    failed_by_stage: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The counters as a plain dict (for job results and logs)."""
        return {
            "records": self.records,
            "accepted": self.accepted,
            "failed": self.failed,
            "duplicates": self.duplicates,
            "failed_by_stage": dict(self.failed_by_stage),
            "seconds": dict(self.seconds),
        }


def default_experts(dedupe_window: float | None = 86400.0) -> list[Expert]:
    """The standard chain: IP, IDN, PSL, taxonomy and (unless ``None``) dedupe."""
    experts: list[Expert] = [IpExpert(), IdnExpert(), PslExpert(), TaxonomyExpert()]
    if dedupe_window is not None:
        experts.append(DedupeExpert(window=dedupe_window))
    return experts


def run(
    parser: str | Parser,
    lines: Lines,
    experts: Sequence[Expert] = (),
    *,
    feed_name: str | None = None,
    options: Mapping[str, Any] | None = None,
    stats: PipelineStats | None = None,
    timing: bool = False,
) -> Iterator[Event | FailedRecord]:
    """Parse ``lines`` and pass each event through ``experts`` in order.

    ``parser`` is a registered name or a parser function. Counters go to ``stats`` if given.
    Options errors are raised at once, before the first line is read.
    """
    parse = get(parser) if isinstance(parser, str) else parser
    name = feed_name or (parser if isinstance(parser, str) else parse.__module__.rsplit(".")[-1])
    counters = stats if stats is not None else PipelineStats()
    items = parse(lines, feed_name=name, options=options)
    if timing:
        return _run_timed(items, experts, counters)
    return _run(items, experts, counters)


def _run(items: Iterable[Item], experts: Sequence[Expert], stats: PipelineStats) -> Iterator[Item]:
    # The hot loop of every ingestion: enrichment and counting inlined, no per-item generator.
    chain = tuple(experts)
    for item in items:
        stats.records += 1
        result: Item | None = item
        for expert in chain:
            if result is None or result.__class__ is FailedRecord:
                break
            result = expert(result)  # type: ignore[arg-type]
        if result is None:
            stats.duplicates += 1
        elif result.__class__ is FailedRecord:
            stats.failed += 1
            stats.failed_by_stage[result.stage] += 1  # type: ignore[union-attr]
            yield result
        else:
            stats.accepted += 1
            yield result


def _run_timed(
    items: Iterable[Item], experts: Sequence[Expert], stats: PipelineStats
) -> Iterator[Item]:
    seconds = stats.seconds
    iterator = iter(items)
    while True:
        started = time.perf_counter()
        item = next(iterator, None)
        seconds["parser"] = seconds.get("parser", 0.0) + time.perf_counter() - started
        if item is None:
            return
        stats.records += 1
        result: Item | None = item
        for expert in experts:
            if not isinstance(result, dict):
                break
            started = time.perf_counter()
            result = expert(result)
            seconds[expert.name] = seconds.get(expert.name, 0.0) + time.perf_counter() - started
        yield from _count(result, stats)


def _count(result: Item | None, stats: PipelineStats) -> Iterator[Item]:
    if result is None:
        stats.duplicates += 1
    elif isinstance(result, FailedRecord):
        stats.failed += 1
        stats.failed_by_stage[result.stage] += 1
        yield result
    else:
        stats.accepted += 1
        yield result


def write_jsonl(items: Iterable[Event | FailedRecord], stream: TextIO) -> int:
    """Output stage: one JSON object per line (failed records under ``"failed"``); the count."""
    written = 0
    for item in items:
        record = {"failed": item.as_dict()} if isinstance(item, FailedRecord) else item
        stream.write(json.dumps(record, ensure_ascii=False, sort_keys=True))
        stream.write("\n")
        written += 1
    return written
