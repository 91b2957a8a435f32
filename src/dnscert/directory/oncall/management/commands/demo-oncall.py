"""``dnscert demo-oncall``: load the demo follow-the-sun rota (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dnscert.core.audit import Via, channel
from dnscert.directory.oncall import demo


class Command(BaseCommand):
    help = (
        "Create three demo responders (Europe/Paris, America/New_York, Asia/Tokyo) on a "
        "follow-the-sun rota that leaves one visible gap. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with channel(Via.CLI):
            summary = demo.load_demo_oncall()
        self.stdout.write(f"Demo on-call: {summary}")
        names = ", ".join(sorted({row[0] for row in demo.RESPONDERS}))
        self.stdout.write(
            f"Demo responders ({names}) use the DEMO-ONLY password {demo.DEMO_PASSWORD!r}."
        )
