"""``dnscert enqueue NAME [--kw key=value ...]``: start one run of a declared job."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dnscert.core import jobs
from dnscert.core.exceptions import InvalidInput
from dnscert.core.models import JobRun


def parse_kwarg(text: str) -> tuple[str, Any]:
    """``key=value`` as a pair; the value is read as JSON when it parses, else as a string."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise InvalidInput("--kw", f"expected key=value, got {text!r}")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return key.strip(), value


class Command(BaseCommand):
    help = "Enqueue a run of the job NAME; 'dnscert enqueue --list' lists the declared jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="the job's name, e.g. core.prune_audit_log")
        parser.add_argument(
            "--kw", action="append", default=[], metavar="KEY=VALUE", help="a job argument"
        )
        parser.add_argument("--list", action="store_true", help="list the declared jobs")
        parser.add_argument(
            "--redispatch-older-than",
            type=int,
            metavar="MINUTES",
            help="instead of a new run, dispatch again the runs queued for longer than MINUTES "
            "(after a broker outage); safe to repeat",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self._list()
            return
        if options["redispatch_older_than"] is not None:
            minutes = timedelta(minutes=options["redispatch_older_than"])
            self.stdout.write(f"dispatched {jobs.redispatch_queued(minutes)} queued run(s) again")
            return
        if not options["name"]:
            raise CommandError("give the name of a job (see --list)")
        try:
            kwargs = dict(parse_kwarg(item) for item in options["kw"])
            run = jobs.enqueue(options["name"], **kwargs)
        except InvalidInput as exc:
            raise CommandError(str(exc)) from exc
        run.refresh_from_db()
        self.stdout.write(f"{run.name} #{run.pk}: {run.status} ({run.backend})")
        if run.status == JobRun.Status.FAILED:
            raise CommandError(run.error.splitlines()[0] if run.error else "the job failed")
        if run.result is not None:
            self.stdout.write(json.dumps(run.result))

    def _list(self) -> None:
        for name in sorted(jobs.REGISTRY):
            declared = jobs.REGISTRY[name]
            when = f"  [{declared.schedule}]" if declared.schedule is not None else ""
            self.stdout.write(f"{name}{when}")
