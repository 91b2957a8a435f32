"""Throughput of the DNS health engine over the NSD test bed (prints figures, asserts nothing).

Builds (or reuses, see ``testbed.generator.build_bed``) a bed of ``--zones`` child zones with
``--fault-share`` of them faulty, serves it with NSD and the fault responders, checks every
zone with the default profile, and prints zones/s, queries/s (datagrams and TCP queries
actually sent), p50/p95 time per zone, the checker's peak RSS, the checkers' CPU time per
zone (the figure to compare when other processes share the cores), faults found vs injected
and false alarms (healthy zones with a WARNING or worse, loopback artefacts excepted).
Generation is not part of the measured time; the checkers run on ``eventloop.run`` (uvloop).
The last line is machine-readable:

    RESULT check_throughput zones_per_s=.. queries_per_s=.. p95_ms=.. rss_mb=..
        faults_found=F faults_injected=I false_alarms=N

Run: ``.venv/bin/python bench/check_throughput.py [--zones 10000] [--concurrency 200]``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from dnscert.dnshealth.engine import eventloop
from dnscert.dnshealth.engine.model import EngineConfig, ZoneReport
from dnscert.dnshealth.engine.registry import all_test_cases
from dnscert.dnshealth.engine.runner import Batch, check_zone, tune_gc_in_batches
from dnscert.dnshealth.testbed.generator import Bed, BedSpec, build_bed
from dnscert.dnshealth.testbed.serve import serve_bed


@dataclass
class Run:
    """What one measured pass produced."""

    reports: list[ZoneReport] = field(default_factory=list)
    seconds: float = 0.0
    sent: int = 0
    asked: int = 0
    cpu_seconds: float = 0.0  # CPU time of the checker processes (user + system)


async def check_all(bed: Bed, config: EngineConfig, concurrency: int) -> Run:
    """Check every child zone of ``bed`` with one shared batch, ``concurrency`` at a time."""
    batch = Batch(config)
    semaphore = asyncio.Semaphore(concurrency)
    run = Run()

    async def one(zone: str) -> None:
        async with semaphore:
            run.reports.append(await check_zone(zone, config, batch=batch))

    started = time.monotonic()
    try:
        await asyncio.gather(*(one(zone) for zone in bed.child_zones))
    finally:
        run.seconds = time.monotonic() - started
        run.sent = batch.client.stats.sent  # TCP queries are counted in sent too
        await batch.close()
    run.asked = sum(report.query_count for report in run.reports)
    return run


def check_share(bed: Bed, zones: list[str], concurrency: int) -> Run:
    """One worker process: check ``zones`` on its own event loop and shared batch."""
    share = Bed(**{**bed.__dict__, "child_zones": zones})
    tune_gc_in_batches()
    started = time.process_time()
    run = eventloop.run(check_all(share, share.engine_config(), concurrency))
    run.cpu_seconds = time.process_time() - started
    return run


def check_in_workers(bed: Bed, workers: int, concurrency: int) -> tuple[Run, float]:
    """Split the zones over ``workers`` processes; the merged run and the wall time."""
    shares = [bed.child_zones[index::workers] for index in range(workers)]
    started = time.monotonic()
    if workers == 1:
        runs = [check_share(bed, shares[0], concurrency)]
    else:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            runs = pool.starmap(check_share, [(bed, share, concurrency) for share in shares])
    merged = Run(seconds=time.monotonic() - started)
    for run in runs:
        merged.reports += run.reports
        merged.sent += run.sent
        merged.asked += run.asked
        merged.cpu_seconds += run.cpu_seconds
    return merged, merged.seconds


def peak_rss_mb() -> float:
    """The largest resident set of this process or any finished worker, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def percentile(values: list[int], share: float) -> float:
    """The ``share`` percentile (0..1) of ``values`` by linear interpolation."""
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[max(0, min(98, round(share * 100) - 1))]


def assess(bed: Bed, reports: list[ZoneReport]) -> tuple[Counter[str], Counter[str], list[str]]:
    """Found and injected faults per kind, and the healthy zones that raised an alarm."""
    by_zone = {report.zone: report for report in reports}
    found: Counter[str] = Counter()
    injected: Counter[str] = Counter()
    for fault in bed.faults:
        injected[fault.fault] += 1
        report = by_zone.get(fault.zone)
        if report is not None and set(fault.expected_tags) <= report.tags():
            found[fault.fault] += 1
    alarms = [zone for zone, report in by_zone.items() if bed.false_alarms(report)]
    return found, injected, alarms


def print_alarm_sample(bed: Bed, reports: list[ZoneReport]) -> None:
    """The most common tags behind false alarms."""
    tags: Counter[str] = Counter()
    for report in reports:
        for message in bed.false_alarms(report):
            tags[f"{message.test_case}/{message.tag}"] += 1
    for tag, count in tags.most_common(10):
        print(f"  false-alarm tag {tag}: {count} zones")


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
    with serve_bed(bed) as running:
        print(f"servers started in {running.startup_seconds:.1f} s")
        print(f"load average before checking: {os.getloadavg()}")
        # Only the checkers' processes are measured; NSD and the responders run beside them.
        run, _wall = check_in_workers(bed, args.workers, args.concurrency)

    durations = [report.duration_ms for report in run.reports]
    zones_per_s = len(run.reports) / run.seconds
    queries_per_s = run.sent / run.seconds
    p50, p95 = percentile(durations, 0.50), percentile(durations, 0.95)
    rss_mb = peak_rss_mb()
    found, injected, alarms = assess(bed, run.reports)
    print(
        f"checked {len(run.reports)} zones in {run.seconds:.1f} s with {args.workers} worker(s)"
        f" x {args.concurrency} zones at once: {zones_per_s:.1f} zones/s"
    )
    print(f"queries sent {run.sent} ({queries_per_s:.0f}/s); asked by checks {run.asked}")
    print(
        f"time per zone: p50 {p50:.0f} ms, p95 {p95:.0f} ms; peak RSS per checker {rss_mb:.0f} MB"
    )
    cpu_ms = run.cpu_seconds * 1000 / max(1, len(run.reports))
    print(f"checker CPU per zone {cpu_ms:.1f} ms (user + system, all workers)")
    print(f"load average at the end (other processes share the cores): {os.getloadavg()}")
    print_faults(bed, found, injected)
    print(f"false alarms: {len(alarms)} of {len(bed.healthy_zones())} healthy zones")
    print_alarm_sample(bed, run.reports)
    print(
        f"RESULT check_throughput zones_per_s={zones_per_s:.1f} queries_per_s={queries_per_s:.0f}"
        f" p95_ms={p95:.0f} rss_mb={rss_mb:.0f} faults_found={sum(found.values())}"
        f" faults_injected={sum(injected.values())} false_alarms={len(alarms)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
