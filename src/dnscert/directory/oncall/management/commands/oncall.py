"""``dnscert oncall now`` and ``dnscert oncall gaps --weeks 4 [--json]``: who is on call, and
the coming hours nobody covers."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dnscert.core.exceptions import InvalidInput
from dnscert.directory.oncall import coverage, services, weekview
from dnscert.directory.oncall.models import Rota


class Command(BaseCommand):
    help = "On-call: who is on call now, and the coverage gaps of the coming weeks."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        now = commands.add_parser("now", help="who is on call now in the primary rotas")
        now.add_argument("--json", action="store_true", help="machine-readable output")
        gaps = commands.add_parser("gaps", help="every stretch with nobody on call")
        gaps.add_argument("--weeks", type=int, default=coverage.DEFAULT_WEEKS)
        gaps.add_argument("--rota", help="name of one rota (default: all primary rotas)")
        gaps.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "now":
            self._now(options["json"])
        else:
            self._gaps(options["weeks"], options.get("rota"), options["json"])

    def _now(self, as_json: bool) -> None:
        now = timezone.now()
        people = [
            {
                "username": user.get_username(),
                "name": user.get_full_name(),
                "email": user.email,
                "time_zone": user.time_zone,
                "local_time": now.astimezone(weekview.user_zone(user)).isoformat(),
            }
            for user in services.on_call_now(now)
        ]
        if as_json:
            self.stdout.write(json.dumps({"at": now.isoformat(), "on_call": people}, indent=2))
            return
        if not people:
            self.stdout.write("Nobody is on call now: pages go to all core staff.")
        for person in people:
            self.stdout.write(
                f"{person['username']}\t{person['name']}\t{person['time_zone']}\t"
                f"{person['local_time']}"
            )

    def _gaps(self, weeks: int, rota_name: str | None, as_json: bool) -> None:
        rota = None
        if rota_name:
            rota = Rota.objects.filter(name=rota_name).first()
            if rota is None:
                raise CommandError(f"--rota: no rota called {rota_name!r}")
        try:
            result = coverage.coverage(rota=rota, weeks=weeks)
        except InvalidInput as error:
            raise CommandError(f"--{error.field}: {error.problem}") from None
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            return
        self.stdout.write(
            f"{len(result.gaps)} gap(s), {result.uncovered_hours} hour(s) uncovered "
            f"from {result.start.isoformat()} to {result.end.isoformat()} (UTC)"
        )
        for gap in result.gaps:
            self.stdout.write(f"{gap.start.isoformat()}\t{gap.end.isoformat()}\t{gap.hours:.2f} h")
