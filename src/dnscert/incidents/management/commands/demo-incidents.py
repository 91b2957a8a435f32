"""``dnscert demo-incidents``: open the demo incidents (idempotent; needs the demo directory)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dnscert.core.audit import Via, channel
from dnscert.incidents.demo import DemoDirectoryMissing, load_demo_incidents


class Command(BaseCommand):
    help = (
        "Open demo incidents (a delegation hijack of shop.xa, a phishing campaign, a resolved "
        "DNSSEC failure) with participants, indicators, tasks and journal. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with channel(Via.CLI):
                created = load_demo_incidents()
        except DemoDirectoryMissing as error:
            raise CommandError(str(error)) from None
        if created:
            self.stdout.write(f"Demo incidents opened: {', '.join(created)}")
        else:
            self.stdout.write("Demo incidents already present.")
