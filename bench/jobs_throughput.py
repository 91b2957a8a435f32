"""Throughput of the in-process job worker on the embedded SQLite database (prints figures).

Starts the in-process worker, enqueues ``--runs`` runs of a job that does one small write, and
waits until all have finished. Prints runs per second and the queue latency (queued to
started) at p50 and p95. A fresh database in a temporary directory is used and deleted.
The last line is machine-readable:

    RESULT jobs_throughput runs=N threads=T runs_per_s=.. p50_latency_ms=.. p95_latency_ms=..

Run: ``.venv/bin/python bench/jobs_throughput.py [--runs 500] [--threads 2]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500, help="job runs to enqueue")
    parser.add_argument("--threads", type=int, default=2, help="in-process worker threads")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="dnscert-bench-") as var_dir:
        os.environ["DNSCERT_VAR_DIR"] = var_dir
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("DNSCERT_BROKER_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dnscert.settings")
        os.environ.setdefault("DNSCERT_LOG_LEVEL", "WARNING")
        import django

        django.setup()
        return measure(args.runs, args.threads)


def measure(runs: int, threads: int) -> int:
    from django.core.management import call_command

    from dnscert.core import jobs
    from dnscert.core.models import AuditEvent, JobRun

    @jobs.job("bench.record_event")
    def record_event(*, number: int) -> int:
        AuditEvent.objects.create(action=AuditEvent.Action.UPDATE, object_repr=f"bench {number}")
        return number

    call_command("migrate", verbosity=0)
    jobs.start_inprocess_worker(threads, with_scheduler=False)
    started = time.perf_counter()
    for number in range(runs):
        jobs.enqueue("bench.record_event", number=number)
    finished = JobRun.objects.filter(status=JobRun.Status.SUCCEEDED)
    while finished.count() < runs:
        if JobRun.objects.filter(status=JobRun.Status.FAILED).exists():
            print("a bench job failed", file=sys.stderr)
            return 1
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    jobs.stop_inprocess_worker()
    report(runs, threads, elapsed, list(JobRun.objects.values_list("queued_at", "started_at")))
    return 0


def report(
    runs: int, threads: int, elapsed: float, timings: list[tuple[datetime, datetime]]
) -> None:
    latencies = sorted((started - queued).total_seconds() * 1000 for queued, started in timings)
    p50 = statistics.median(latencies)
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    print(f"{runs} runs on {threads} thread(s) in {elapsed:.2f} s: {runs / elapsed:.0f} runs/s")
    print(f"queue latency: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(
        f"RESULT jobs_throughput runs={runs} threads={threads} runs_per_s={runs / elapsed:.1f} "
        f"p50_latency_ms={p50:.1f} p95_latency_ms={p95:.1f}"
    )


if __name__ == "__main__":
    sys.exit(main())
