"""Fixtures of the insight tests: fast passwords, a platform PGP key, an incident with a story.

``story`` is a real incident opened and worked through the incidents services, with two
participant organisations notified and acknowledging at known times, so reports can be
checked to the second.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from dnscert.core.choices import TLP, Severity
from dnscert.directory.models import Contact, Organisation
from dnscert.incidents import services as incidents
from dnscert.incidents.models import Incident, JournalEntry, Participant, Task
from tests.incidents import factories
from tests.personas import member, staff

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def insight_gnupg_home() -> Iterator[Path]:
    """A short-path keyring for the platform key (gpg-agent socket paths are limited)."""
    home = Path(tempfile.mkdtemp(prefix="dnscert-ins-", dir="/tmp"))
    home.chmod(0o700)
    try:
        yield home
    finally:
        subprocess.run(
            ["gpgconf", "--kill", "all"],
            env={**os.environ, "GNUPGHOME": str(home)},
            check=False,
            capture_output=True,
        )
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(autouse=True)
def insight_settings(settings: Any, insight_gnupg_home: Path) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DNSCERT_GNUPG_HOME = str(insight_gnupg_home)
    settings.DEFAULT_FROM_EMAIL = "dnscert <cert@dnscert.example>"
    cache.clear()
    yield
    cache.clear()


def at(minutes: float) -> datetime:
    """``T0`` plus ``minutes``."""
    return T0 + timedelta(minutes=minutes)


@dataclass
class Story:
    """An incident with a journal, two acknowledged participants and a task."""

    incident: Incident
    analyst: Any
    registry: Organisation
    operator: Organisation
    registry_participant: Participant
    operator_participant: Participant


def _stamp_entries(incident: Incident, minutes: list[float]) -> None:
    entries = list(JournalEntry.objects.filter(incident=incident).order_by("created_at", "id"))
    for entry, minute in zip(entries, minutes, strict=False):
        JournalEntry.objects.filter(pk=entry.pk).update(created_at=at(minute))


def make_story(tlp: str = TLP.AMBER, severity: str = Severity.HIGH) -> Story:
    analyst = staff("analyst")
    incident = factories.incident(analyst, severity=severity, tlp=tlp, title="Hijack of shop.xa")
    registry = factories.registry("xa", contact_language="fr")
    operator = factories.dns_operator()
    Contact.objects.create(organisation=operator, name="Ops", email="ops@operator.example")
    reg = factories.participant(incident, registry, by=analyst)
    ops = factories.participant(incident, operator, by=analyst)
    incidents.add_journal_entry(
        incident, text="NS of shop.xa | moved to evil.example <b>now</b>", tlp=tlp, author=analyst
    )
    incidents.add_journal_entry(
        incident, text="internal: suspect insider", tlp=TLP.RED, author=analyst
    )
    incidents.post_participant_update(
        reg, text="We locked the domain", tlp=tlp, by=member(registry, username="regops")
    )
    Task.objects.create(
        incident=incident, title="Restore NS", owner=analyst, due_at=at(120), done_at=at(90)
    )
    Incident.objects.filter(pk=incident.pk).update(created_at=T0)
    # notified at +10 min; the registry acknowledges 25 min later, the operator 2 h 5 min later
    Participant.objects.filter(pk=reg.pk).update(
        notified_at=at(10), acknowledged_at=at(35), status="acting"
    )
    Participant.objects.filter(pk=ops.pk).update(
        notified_at=at(10), acknowledged_at=at(135), status="done"
    )
    _stamp_entries(incident, [0, 5, 6, 20, 21, 30])
    incident.refresh_from_db()
    reg.refresh_from_db()
    ops.refresh_from_db()
    return Story(incident, analyst, registry, operator, reg, ops)


def close(story: Story) -> Incident:
    """Move the story's incident to closed through the lifecycle; set known SLA times."""
    incident = story.incident
    for status in ("triaged", "in_progress", "resolved", "closed"):
        incidents.transition(incident, status, by=story.analyst)
    Incident.objects.filter(pk=incident.pk).update(
        acknowledged_at=at(15), first_action_at=at(30), resolved_at=at(300), closed_at=at(360)
    )
    incident.refresh_from_db()
    return incident


@pytest.fixture
def story(db: Any) -> Story:
    return make_story()
