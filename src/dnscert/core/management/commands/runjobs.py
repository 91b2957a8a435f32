"""``dnscert runjobs``: run jobs in the foreground without Celery (worker threads + scheduler)."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dnscert.core import jobs

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Command(BaseCommand):
    help = (
        "Run queued jobs and enqueue periodic ones, in the foreground, until SIGTERM or Ctrl-C. "
        "For deployments without Celery; with DNSCERT_BROKER_URL use celery worker and beat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--threads", type=int, default=None, help="job threads to run")
        parser.add_argument(
            "--no-scheduler", action="store_true", help="do not enqueue periodic jobs"
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="enqueue the periodic jobs that are due, run everything queued, then exit",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DNSCERT_BROKER_URL:
            raise CommandError(
                "DNSCERT_BROKER_URL is set: run 'celery -A dnscert worker' and "
                "'celery -A dnscert beat' instead of runjobs"
            )
        if options["once"]:
            self._run_once(with_scheduler=not options["no_scheduler"])
            return
        self._run_forever(options["threads"], with_scheduler=not options["no_scheduler"])

    def _run_once(self, *, with_scheduler: bool) -> None:
        if with_scheduler:
            jobs.Scheduler().tick()
        runs = jobs.run_pending()
        for run in runs:
            self.stdout.write(f"{run.name} #{run.pk}: {run.status}")
        self.stdout.write(f"{len(runs)} job run(s) done")

    def _run_forever(self, threads: int | None, *, with_scheduler: bool) -> None:
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, request_stop) for sig in STOP_SIGNALS}
        try:
            worker = jobs.start_inprocess_worker(threads, with_scheduler=with_scheduler)
            self.stdout.write(
                f"running jobs with {worker.threads} thread(s), scheduler "
                f"{'on' if with_scheduler else 'off'}; stop with SIGTERM or Ctrl-C"
            )
            while not stop.wait(0.5):
                pass
            self.stdout.write("stopping: letting running jobs finish")
        finally:
            jobs.stop_inprocess_worker()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("stopped")
