"""``dnscert directory-export``: write the whole directory as JSON or CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dnscert.core.audit import Via, channel
from dnscert.directory.importexport import export_csv, export_json
from dnscert.directory.models import Organisation


class Command(BaseCommand):
    help = (
        "Export the directory: JSON (one document) or CSV (--entity organisations, the "
        "default, or contacts). Writes to standard output unless -o is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["csv", "json"], default="json")
        parser.add_argument(
            "--entity",
            choices=["organisations", "contacts"],
            default="organisations",
            help="which CSV file to write (CSV only)",
        )
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--kind", help="only organisations of this kind")

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = Organisation.objects.all()
        if options["kind"]:
            organisations = organisations.filter(kind=options["kind"])
        with channel(Via.CLI):
            if options["format"] == "json":
                text = json.dumps(export_json(None, organisations), indent=2, ensure_ascii=False)
                text += "\n"
            else:
                text = export_csv(None, organisations, options["entity"])
        if not options["output"]:
            self.stdout.write(text, ending="")
            return
        try:
            Path(options["output"]).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{options['output']}: {error.strerror}") from None
