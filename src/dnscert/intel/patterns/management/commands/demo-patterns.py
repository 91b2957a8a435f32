"""``dnscert demo-patterns``: a demo DGA campaign and a concentration run (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dnscert.core.audit import Via, channel
from dnscert.intel.patterns.demo import load_demo_patterns


class Command(BaseCommand):
    help = (
        "Create one Conficker.B campaign (2020-01-01 to 2020-01-07) mapped to the directory's "
        "registries, and run the concentration detection over the events loaded. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with channel(Via.CLI):
            result = load_demo_patterns()
        state = "created" if result["campaign_created"] else "already present"
        uncovered = ", ".join(result["uncovered_tlds"]) or "none"
        self.stdout.write(
            f"DGA campaign #{result['campaign']} ({state}): {result['tlds_with_registry']} of "
            f"{result['tlds']} TLDs have a registry in the directory; uncovered: {uncovered}."
        )
        self.stdout.write(f"Concentration alerts raised: {result['alerts_raised']}.")
