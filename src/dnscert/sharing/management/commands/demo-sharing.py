"""``dnscert demo-sharing``: share the demo incidents' indicators and a DGA list (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dnscert.core.audit import Via, channel
from dnscert.sharing.demo import DemoDataMissing, load_demo_sharing


class Command(BaseCommand):
    help = (
        "Share the demo incidents' indicators over TAXII and the MISP feed, and one DGA list "
        "of the demo campaign. Safe to run again: shares are brought up to date."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with channel(Via.CLI):
                shares = load_demo_sharing()
        except DemoDataMissing as error:
            raise CommandError(str(error)) from None
        for share in shares:
            self.stdout.write(f"Shared [{share.tlp}] {share.title} ({share.item_count} indicators)")
