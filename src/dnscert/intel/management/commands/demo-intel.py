"""``dnscert demo-intel``: demo threat data for the demo constituency (idempotent).

Load the demo directory first (``dnscert demo-directory``) so events are attributed to the
demo registries and registrars.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dnscert.directory.models import Zone
from dnscert.intel import demo


class Command(BaseCommand):
    help = (
        "Load demo threat-data feeds, registrations and sizes (running it again changes nothing)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not Zone.objects.filter(name="xa.").exists():
            self.stderr.write(
                "the demo directory is not loaded: run 'dnscert demo-directory' first so the "
                "events are attributed to the demo registries and registrars"
            )
        loaded = demo.load()
        self.stdout.write(
            f"{loaded['registrations']} registrations imported, "
            f"{loaded['events']} demo events ingested"
        )
