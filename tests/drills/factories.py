"""Data of the drill tests: organisations with contacts, drills launched over them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from dnscert.directory.choices import OrganisationKind
from dnscert.directory.drills import services
from dnscert.directory.drills.models import Drill, Probe
from dnscert.directory.models import Contact, Organisation
from tests.personas import make_org, staff


def contact(
    org: Organisation,
    email: str,
    *,
    is_24x7: bool = True,
    languages: list[str] | None = None,
    name: str = "",
) -> Contact:
    """A contact of ``org``; 24x7 unless told otherwise."""
    return Contact.objects.create(
        organisation=org,
        name=name or email.split("@")[0],
        email=email,
        is_24x7=is_24x7,
        languages=languages if languages is not None else ["en"],
    )


def registry(label: str, *, languages: list[str] | None = None) -> Organisation:
    """A ccTLD registry with a 24x7 NOC and a business-hours contact."""
    org = make_org(OrganisationKind.CCTLD_REGISTRY, f"Registry {label}")
    contact(org, f"noc@nic.{label}.example", languages=languages)
    contact(org, f"office@nic.{label}.example", is_24x7=False)
    return org


def drill(by: Any = None, **fields: Any) -> Drill:
    """A draft drill (all organisations, 24x7 contacts, 4 h window unless told)."""
    fields.setdefault("title", "Quarterly reachability drill")
    return services.create_drill(by or staff(), **fields)


def launched(by: Any = None, *, ago: timedelta = timedelta(minutes=30), **fields: Any) -> Drill:
    """A drill launched ``ago`` (30 minutes by default)."""
    actor = by or staff()
    return services.launch_drill(actor, drill(actor, **fields), now=timezone.now() - ago)


def probe_for(drill: Drill, email: str) -> Probe:
    return drill.probes.get(email=email)


def minutes_after(drill: Drill, minutes: int) -> datetime:
    assert drill.launched_at is not None
    return drill.launched_at + timedelta(minutes=minutes)
