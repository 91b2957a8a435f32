"""``dnscert directory-import FILE``: import organisations and contacts from CSV or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dnscert.core.audit import Via, channel
from dnscert.directory.importexport import DirectoryImportError, import_directory


class Command(BaseCommand):
    help = (
        "Import the directory from a CSV (organisations or contacts) or JSON file. "
        "All or nothing: every error is listed and nothing is written if there is one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV or JSON file to import")
        parser.add_argument(
            "--format", choices=["csv", "json"], help="file format (default: from the name)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        try:
            with channel(Via.CLI):
                summary = import_directory(
                    None,
                    data,
                    file_format=options["format"],
                    filename=path.name,
                    dry_run=options["dry_run"],
                )
        except DirectoryImportError as error:
            for message in error.errors:
                self.stderr.write(message)
            raise CommandError(
                f"{path}: {len(error.errors)} error(s); nothing was imported."
            ) from None
        self.stdout.write(str(summary))
