"""``dnscert demo-drills``: one closed reachability drill over the demo directory (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dnscert.core.audit import Via, channel
from dnscert.directory.drills import demo


class Command(BaseCommand):
    help = (
        "Create one closed reachability drill over the demo directory's 24x7 contacts, with "
        "answers in time, a late answer, a phone answer, a bounce and silence. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with channel(Via.CLI):
            drill = demo.load_demo_drill()
        if drill is None:
            self.stdout.write("Demo drill: the directory has no 24x7 contact; run demo first.")
            return
        outcomes = ", ".join(
            f"{outcome}: {count}" for outcome, count in sorted(demo.outcome_counts(drill).items())
        )
        self.stdout.write(f"Demo drill {drill.reference} ({drill.status}): {outcomes}")
