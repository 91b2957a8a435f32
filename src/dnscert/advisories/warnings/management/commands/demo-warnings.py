"""``dnscert demo-warnings``: subscriptions for demo organisations and a couple of warnings."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dnscert.advisories.warnings.demo import load_demo_warnings
from dnscert.core.audit import Via, channel


class Command(BaseCommand):
    help = (
        "Give the first demo registries, registrars and DNS operators a subscription and raise "
        "two demo warnings. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with channel(Via.CLI):
            created = load_demo_warnings()
        self.stdout.write(
            f"Demo warnings: {created['subscriptions']} subscription(s) and "
            f"{created['warnings']} warning(s) created."
        )
