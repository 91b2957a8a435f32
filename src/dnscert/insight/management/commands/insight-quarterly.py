"""``dnscert insight-quarterly --year 2026 --quarter 1 --out report.pdf``: the board report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dnscert.core.exceptions import InvalidInput
from dnscert.insight import export, kpis


class Command(BaseCommand):
    help = "Write the quarterly KPI report (TLP:CLEAR, aggregate figures) as a PDF file."

    def add_arguments(self, parser: CommandParser) -> None:
        year, number = kpis.current_quarter()
        parser.add_argument("--year", type=int, default=year)
        parser.add_argument("--quarter", type=int, default=number, help="1 to 4")
        parser.add_argument("--out", type=Path, required=True, help="PDF file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        from dnscert.core.choices import Role
        from dnscert.core.models import User

        board = User(role=Role.STAFF, is_active=True)  # the command runs with staff's view
        try:
            pdf = export.quarterly_pdf(board, options["year"], options["quarter"])
        except InvalidInput as error:
            raise CommandError(str(error)) from None
        options["out"].write_bytes(pdf)
        self.stdout.write(f"wrote {options['out']} ({len(pdf)} bytes)")
