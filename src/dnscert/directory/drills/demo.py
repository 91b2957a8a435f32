"""A demo reachability drill: launched ten days ago over the demo directory's 24x7 contacts,
answered in minutes by most, late by one, by phone by another, bounced for one and silent
for the rest, then closed. Loading again changes nothing (the drill is found by title).

The drill messages are queued like any others (the demo writes its mail to ``var/mail``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from dnscert.directory.drills import services, targets
from dnscert.directory.drills.choices import ContactScope
from dnscert.directory.drills.models import Drill, Probe

TITLE = "Demo: quarterly 24x7 reachability drill"
LAUNCHED_DAYS_AGO = 10
#: Minutes each probe took to answer, in probe order; None for silence, "bounce" for a
#: bounce, "phone" for an answer staff recorded after calling (the pattern repeats).
PATTERN: list[int | str | None] = [7, 18, 42, "phone", 95, 310, "bounce", None, 3, None]


def load_demo_drill() -> Drill | None:
    """Create (once) and return the closed demo drill; None when no 24x7 contact exists."""
    existing = Drill.objects.filter(title=TITLE).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        launched_at = timezone.now() - timedelta(days=LAUNCHED_DAYS_AGO)
        drill = services.create_drill(
            None,
            title=TITLE,
            contact_scope=ContactScope.CONTACTS_24X7,
            response_minutes=240,
            late_minutes=1440,
            notes="Unannounced drill over every 24x7 contact of the demo directory.",
            now=launched_at - timedelta(days=1),
        )
        if not targets.target_contacts(drill).exists():
            transaction.set_rollback(True)
            return None
        services.launch_drill(None, drill, now=launched_at)
        for index, probe in enumerate(drill.probes.order_by("organisation_name", "email")):
            _answer(probe, PATTERN[index % len(PATTERN)], launched_at)
        return services.close_drill(None, drill, now=launched_at + timedelta(days=2))


def _answer(probe: Probe, minutes: int | str | None, launched_at: datetime) -> None:
    if minutes is None:
        return
    if minutes == "bounce":
        services.mark_bounced(probe, at=launched_at + timedelta(minutes=2))
    elif minutes == "phone":
        services.record_phone_answer(None, probe, at=launched_at + timedelta(minutes=150))
    else:
        services.respond(probe, at=launched_at + timedelta(minutes=int(minutes)))


def outcome_counts(drill: Drill) -> dict[str, int]:
    """How many probes of ``drill`` ended with each outcome."""
    rows = drill.probes.values("outcome").annotate(count=Count("id"))
    return {row["outcome"]: row["count"] for row in rows}
