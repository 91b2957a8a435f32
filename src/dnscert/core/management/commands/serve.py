"""``dnscert serve``: the web application on gunicorn, with in-process jobs when embedded.

Without ``DNSCERT_BROKER_URL`` the server runs one gunicorn worker process (threaded) that also
runs the in-process job threads and the periodic scheduler, so the platform is complete in one
process. With a broker, jobs go to Celery and ``--workers`` may be raised.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from gunicorn.app.base import BaseApplication

from dnscert.core import jobs


def _start_jobs(worker: Any) -> None:
    jobs.start_inprocess_worker()


def _stop_jobs(server: Any, worker: Any) -> None:
    jobs.stop_inprocess_worker()


class DnscertServer(BaseApplication):  # type: ignore[misc]
    """gunicorn running ``dnscert.wsgi`` with the given options."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from dnscert.wsgi import application

        return application


def server_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """gunicorn settings for ``dnscert serve``; in-process jobs hook in when there's no broker."""
    embedded = not settings.DNSCERT_BROKER_URL
    if embedded and workers != 1:
        raise CommandError(
            "without DNSCERT_BROKER_URL jobs run inside the server: use --workers 1 "
            "(or configure a broker and Celery workers)"
        )
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 120,
        "graceful_timeout": 30,
        "accesslog": "-",
        "errorlog": "-",
        "forwarded_allow_ips": ",".join(settings.DNSCERT_FORWARDED_ALLOW_IPS),
    }
    if embedded:
        options["post_worker_init"] = _start_jobs
        options["worker_exit"] = _stop_jobs
    return options


class Command(BaseCommand):
    help = "Serve the platform with gunicorn; without a broker, jobs run in the same process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="TCP port to listen on")
        parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes")
        parser.add_argument("--threads", type=int, default=8, help="threads per worker")

    def handle(self, *args: Any, **options: Any) -> None:
        config = server_options(
            options["host"], options["port"], options["workers"], options["threads"]
        )
        mode = "Celery" if settings.DNSCERT_BROKER_URL else "in-process"
        self.stdout.write(f"dnscert on http://{config['bind']}/ (jobs: {mode})", self.style.SUCCESS)
        DnscertServer(config).run()
