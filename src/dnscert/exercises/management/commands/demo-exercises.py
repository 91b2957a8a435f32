"""``dnscert demo-exercises``: one ended and one planned demo exercise (idempotent; needs the
demo directory)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dnscert.core.audit import Via, channel
from dnscert.exercises.demo import DemoDirectoryMissing, load_demo_exercises


class Command(BaseCommand):
    help = (
        "Load a finished exercise (a hijacked ccTLD delegation, with answers and an "
        "after-action report) and a planned one. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with channel(Via.CLI):
                created = load_demo_exercises()
        except DemoDirectoryMissing as error:
            raise CommandError(str(error)) from None
        if created:
            self.stdout.write(f"Demo exercises loaded: {', '.join(created)}")
        else:
            self.stdout.write("Demo exercises already present.")
