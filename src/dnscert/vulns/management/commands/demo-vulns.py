"""``dnscert demo-vulns``: open the demo vulnerability case (idempotent; needs demo data)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dnscert.core.audit import Via, channel
from dnscert.vulns.demo import DemoDirectoryMissing, load_demo_vulns


class Command(BaseCommand):
    help = (
        "Open a demo embargoed vulnerability case with the demo directory's DNS software "
        "vendors at different steps. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with channel(Via.CLI):
                created = load_demo_vulns()
        except DemoDirectoryMissing as error:
            raise CommandError(str(error)) from None
        if created:
            self.stdout.write(f"Demo vulnerability case opened: {', '.join(created)}")
        else:
            self.stdout.write("Demo vulnerability case already present.")
