"""``dnscert demo-advisories``: publish the demo advisories (idempotent; needs the directory)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dnscert.advisories.demo import DemoDirectoryMissing, load_demo_advisories
from dnscert.core.audit import Via, channel


class Command(BaseCommand):
    help = (
        "Publish demo advisories (a resolver cache-poisoning advisory and a DNSSEC key "
        "rollover note as TLP:CLEAR, a TLP:AMBER one to the TLD registries) and a draft. "
        "Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with channel(Via.CLI):
                created = load_demo_advisories()
        except DemoDirectoryMissing as error:
            raise CommandError(str(error)) from None
        if created:
            self.stdout.write(f"Demo advisories created: {', '.join(created)}")
        else:
            self.stdout.write("Demo advisories already present.")
