"""``dnscert exercise tick`` (deliver due injects now) and ``dnscert exercise report REF
[--format md|csv|json] [--language en|fr]`` (the after-action report on standard output)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from dnscert.core.audit import Via, channel
from dnscert.exercises import export, report, services
from dnscert.exercises.models import Exercise

TEXT_FORMATS = {"md": export.to_markdown, "csv": export.to_csv, "json": export.to_json}


class Command(BaseCommand):
    help = "Exercises: deliver the injects whose time has come; print an after-action report."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("tick", help="deliver every due inject of running exercises now")
        printed = commands.add_parser("report", help="print the after-action report")
        printed.add_argument("reference", help="exercise reference, e.g. EXR-2026-0001")
        printed.add_argument("--format", choices=sorted(TEXT_FORMATS), default="md")
        printed.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], default="en"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "tick":
            self._tick()
        else:
            with translation.override(options["language"]):
                self._report(options["reference"], options["format"])

    def _tick(self) -> None:
        with channel(Via.CLI):
            delivered = services.deliver_due()
        for inject in delivered:
            self.stdout.write(f"{inject.exercise.reference}\t{inject.title}")
        self.stdout.write(f"{len(delivered)} inject(s) delivered.")

    def _report(self, reference: str, fmt: str) -> None:
        exercise = Exercise.objects.filter(reference=reference.strip().upper()).first()
        if exercise is None:
            raise CommandError(f"reference: no exercise {reference!r}")
        self.stdout.write(TEXT_FORMATS[fmt](report.build(exercise)), ending="")
