"""``dnscert demo-directory``: load the fictional demo constituency (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dnscert.core.audit import Via, channel
from dnscert.directory.demo import DEMO_MEMBERS, DEMO_PASSWORD, load_demo_directory
from dnscert.directory.importexport import DirectoryImportError


class Command(BaseCommand):
    help = (
        "Load a fictional constituency (reserved names and documentation addresses only) "
        "and one demo member account per registry and vendor. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with channel(Via.CLI):
                summary, created_users = load_demo_directory()
        except DirectoryImportError as error:
            raise CommandError("; ".join(error.errors)) from None
        self.stdout.write(f"Demo directory: {summary}")
        if created_users:
            self.stdout.write(f"Created demo members: {', '.join(created_users)}")
        usernames = ", ".join(username for username, _ in DEMO_MEMBERS)
        self.stdout.write(
            f"Demo member accounts ({usernames}) use the DEMO-ONLY password {DEMO_PASSWORD!r}."
        )
