"""Throughput of the DNS health engine over the NSD test bed (prints figures, asserts nothing).

Builds (or reuses, see ``testbed.generator.build_bed``) a bed of ``--zones`` child zones with
``--fault-share`` of them faulty, serves it with NSD and the fault responders, checks every
zone with the default profile the way ``dnscert check`` does (``runner.check_zones`` sharing
the zones out to ``--workers`` processes, each report streamed back as it is done), and prints
zones/s, queries/s (datagrams and TCP queries actually sent), p50/p95 time per zone, the
largest checker's peak RSS, the checkers' CPU time per zone (the figure to compare when other
processes share the cores), faults found vs injected and false alarms (healthy zones with a
WARNING or worse, loopback artefacts excepted). The measured time runs from the first zone
handed out to the last report received; generating and serving the bed are not part of it.
The last line is machine-readable:

    RESULT check_throughput zones_per_s=.. queries_per_s=.. p95_ms=.. rss_mb=..
        faults_found=F faults_injected=I false_alarms=N

Run: ``.venv/bin/python bench/check_throughput.py [--zones 10000] [--concurrency 50]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from dnscert.dnshealth.engine import eventloop
from dnscert.dnshealth.engine.model import RunTotals, ZoneReport
from dnscert.dnshealth.engine.registry import all_test_cases
from dnscert.dnshealth.engine.runner import check_zones
from dnscert.dnshealth.testbed.generator import Bed, BedSpec, build_bed
from dnscert.dnshealth.testbed.serve import serve_bed


@dataclass
class Tally:
    """What the bench keeps of each report as it arrives: enough to judge the run."""

    bed: Bed
    checked: int = 0
    asked: int = 0
    durations: list[int] = field(default_factory=list)
    fault_tags: dict[str, set[str]] = field(default_factory=dict)  # faulty zone -> its tags
    alarms: list[str] = field(default_factory=list)  # healthy zones with a false alarm
    alarm_tags: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._faulty = set(self.bed.faults_by_zone())

    def take(self, report: ZoneReport) -> None:
        """Count ``report``; keep its tags when its zone is faulty, its alarms when not."""
        self.checked += 1
        self.asked += report.query_count
        self.durations.append(report.duration_ms)
        if report.zone in self._faulty:
            self.fault_tags[report.zone] = report.tags()
            return
        alarms = self.bed.false_alarms(report)
        if alarms:
            self.alarms.append(report.zone)
            self.alarm_tags.update(f"{message.test_case}/{message.tag}" for message in alarms)


async def check_all(
    bed: Bed, workers: int, concurrency: int, tally: Tally, totals: RunTotals
) -> None:
    """Check every child zone of ``bed`` as ``dnscert check`` does: ``check_zones`` sharing the
    zones out to ``workers`` processes (``concurrency`` at once in each), reports streamed back."""
    stream = check_zones(
        bed.child_zones,
        bed.engine_config(),
        concurrency=concurrency,
        workers=workers,
        totals=totals,
    )
    async for report in stream:
        tally.take(report)


def percentile(values: list[int], share: float) -> float:
    """The ``share`` percentile (0..1) of ``values`` by linear interpolation."""
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[max(0, min(98, round(share * 100) - 1))]


def assess(bed: Bed, tally: Tally) -> tuple[Counter[str], Counter[str]]:
    """Found and injected faults per kind."""
    found: Counter[str] = Counter()
    injected: Counter[str] = Counter()
    for fault in bed.faults:
        injected[fault.fault] += 1
        tags = tally.fault_tags.get(fault.zone)
        if tags is not None and set(fault.expected_tags) <= tags:
            found[fault.fault] += 1
    return found, injected


def print_faults(bed: Bed, found: Counter[str], injected: Counter[str]) -> None:
    """One line per fault kind: found/injected and whether a check declares its tags."""
    declared = {tag for case in all_test_cases() for tag in case.tags}
    expected = {fault.fault: fault.expected_tags for fault in bed.faults}
    for kind in sorted(injected):
        missing = [tag for tag in expected[kind] if tag not in declared]
        note = f" (no registered check declares {missing})" if missing else ""
        print(f"  fault {kind:18} found {found[kind]:4}/{injected[kind]:<4}{note}")


def main(argv: list[str] | None = None) -> int:
    """Build, serve, check, print; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=10_000)
    parser.add_argument("--fault-share", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=50, help="zones at once per worker")
    parser.add_argument("--workers", type=int, default=2, help="checker processes")
    parser.add_argument("--net", type=int, default=78, help="second octet of 127.<net>/16")
    parser.add_argument("--rebuild", action="store_true", help="ignore a cached bed")
    args = parser.parse_args(argv)

    generation_started = time.monotonic()
    spec = BedSpec(zones=args.zones, fault_share=args.fault_share, net=args.net)
    bed = build_bed(spec, reuse=not args.rebuild)
    print(f"bed: {bed.directory} ({len(bed.child_zones)} zones, {len(bed.signed_zones)} signed)")
    print(f"generation (not measured): {time.monotonic() - generation_started:.1f} s")
    tally = Tally(bed)
    totals = RunTotals()
    with serve_bed(bed) as running:
        print(f"servers started in {running.startup_seconds:.1f} s")
        print(f"load average before checking: {os.getloadavg()}")
        # Only the checkers' processes are measured; NSD and the responders run beside them.
        started, own_cpu = time.monotonic(), time.process_time()
        eventloop.run(check_all(bed, args.workers, args.concurrency, tally, totals))
        seconds, own_cpu = time.monotonic() - started, time.process_time() - own_cpu

    zones_per_s = tally.checked / seconds
    queries_per_s = totals.queries_sent / seconds
    p50, p95 = percentile(tally.durations, 0.50), percentile(tally.durations, 0.95)
    rss_mb = totals.peak_rss_mb
    found, injected = assess(bed, tally)
    print(
        f"checked {tally.checked} zones in {seconds:.1f} s with {totals.checkers} checker"
        f" process(es) x {args.concurrency} zones at once: {zones_per_s:.1f} zones/s"
    )
    print(
        f"queries sent {totals.queries_sent} ({queries_per_s:.0f}/s);"
        f" asked by checks {tally.asked}; timeouts {totals.timeouts}"
    )
    print(
        f"time per zone: p50 {p50:.0f} ms, p95 {p95:.0f} ms; peak RSS per checker {rss_mb:.0f} MB"
    )
    cpu_ms = totals.cpu_seconds * 1000 / max(1, tally.checked)
    print(f"checker CPU per zone {cpu_ms:.1f} ms (user + system, all checkers)")
    if totals.checkers > 1 or args.workers > 1:
        collector_ms = own_cpu * 1000 / max(1, tally.checked)
        print(f"collector CPU per zone {collector_ms:.2f} ms (receiving and judging reports)")
    print(f"load average at the end (other processes share the cores): {os.getloadavg()}")
    print_faults(bed, found, injected)
    print(f"false alarms: {len(tally.alarms)} of {len(bed.healthy_zones())} healthy zones")
    for tag, count in tally.alarm_tags.most_common(10):
        print(f"  false-alarm tag {tag}: {count} messages")
    print(
        f"RESULT check_throughput zones_per_s={zones_per_s:.1f} queries_per_s={queries_per_s:.0f}"
        f" p95_ms={p95:.0f} rss_mb={rss_mb:.0f} faults_found={sum(found.values())}"
        f" faults_injected={sum(injected.values())} false_alarms={len(tally.alarms)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
