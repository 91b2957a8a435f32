"""``dnscert drill launch ID``, ``dnscert drill close ID`` and ``dnscert drill report ID
[--json]``: run a reachability drill from the command line."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dnscert.core.audit import Via, channel
from dnscert.core.exceptions import InvalidInput
from dnscert.directory.drills import reports, services
from dnscert.directory.drills.models import Drill


class Command(BaseCommand):
    help = "Reachability drills: launch, close, report."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("launch", "send the drill messages"),
            ("close", "close the drill and fix the outcomes"),
            ("report", "print the drill's figures and probes"),
        ):
            command = commands.add_parser(name, help=text)
            command.add_argument("drill", help="the drill's id or reference (DRILL-2026-0001)")
            if name == "report":
                command.add_argument("--json", action="store_true", help="machine-readable")

    def handle(self, *args: Any, **options: Any) -> None:
        drill = self._drill(options["drill"])
        action = options["action"]
        if action == "report":
            self._report(drill, options["json"])
            return
        change = services.launch_drill if action == "launch" else services.close_drill
        try:
            with channel(Via.CLI):
                drill = change(None, drill)
        except InvalidInput as error:
            raise CommandError(f"{error.field}: {error.problem}") from None
        self.stdout.write(f"{drill.reference}: {drill.status}, {drill.probes.count()} probe(s)")

    def _drill(self, given: str) -> Drill:
        text = given.strip()
        found = Drill.objects.filter(pk=int(text)) if text.isdigit() else None
        if found is None:
            found = Drill.objects.filter(reference__iexact=text)
        drill = found.first()
        if drill is None:
            raise CommandError(f"no drill with id or reference {given!r}")
        return drill

    def _report(self, drill: Drill, as_json: bool) -> None:
        document = reports.results_document(drill)
        if as_json:
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
            return
        facts, figures = document["drill"], document["figures"]
        self.stdout.write(f"{facts['reference']} {facts['title']} ({facts['status']})")
        self.stdout.write(
            f"probes {figures['probes']}, answered {figures['answered']}, "
            f"response rate {_figure(figures['response_rate'], ' %')}, "
            f"in time {_figure(figures['in_time_rate'], ' %')}, "
            f"median {_figure(figures['median_seconds'], ' s')}, "
            f"p90 {_figure(figures['p90_seconds'], ' s')}"
        )
        for row in document["probes"]:
            waited = row["seconds_to_answer"]
            self.stdout.write(
                f"{row['organisation']}\t{row['email']}\t{row['outcome']}\t"
                f"{'' if waited is None else waited}"
            )


def _figure(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:g}{unit}"
