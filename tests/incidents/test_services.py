"""The incident services: references, creation, journal, lifecycle, participants, tasks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dnscert.core.choices import TLP, Severity
from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import run_pending
from dnscert.core.models import AuditEvent, JobRun, ReferenceCounter
from dnscert.incidents import lifecycle, services
from dnscert.incidents.choices import IncidentStatus, JournalKind, ParticipantStatus
from dnscert.incidents.models import Incident
from dnscert.incidents.signals import incident_created, incident_status_changed
from tests.incidents import factories
from tests.personas import make_org, member, responder, staff

pytestmark = pytest.mark.django_db
S = IncidentStatus


def test_it_allocates_references_per_year_in_sequence() -> None:
    first, second = factories.incident(), factories.incident()
    year = timezone.now().year
    assert first.reference == f"DNSCERT-{year}-0001"
    assert second.reference == f"DNSCERT-{year}-0002"
    assert ReferenceCounter.objects.get(series="DNSCERT", year=year).last == 2
    assert services.allocate_reference(timezone.now().replace(year=2031)) == "DNSCERT-2031-0001"


def test_it_finds_the_first_existing_reference_in_text() -> None:
    known = factories.incident()
    text = f"Re: [TLP:AMBER] [DNSCERT-1999-0042] and [{known.reference.lower()}] thanks"
    assert services.find_reference(text) == known
    assert services.find_reference("no reference here") is None
    assert services.find_reference("DNSCERT-2026-9999") is None


def test_it_creates_with_a_journal_entry_and_an_audit_row() -> None:
    analyst = staff()
    incident = factories.incident(analyst, reporter_email="reporter@example.org")
    assert incident.status == S.NEW
    assert incident.created_by == analyst
    assert incident.journal.get().kind == JournalKind.NOTE
    assert AuditEvent.objects.filter(object_id=str(incident.pk), action="create").exists()


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("title", {"title": "  "}),
        ("category", {"category": "made-up"}),
        ("severity", {"severity": "apocalyptic"}),
        ("tlp", {"tlp": "PURPLE"}),
        ("reporter_email", {"reporter_email": "not an address"}),
    ],
)
def test_it_refuses_bad_input_naming_the_field(field: str, values: dict[str, str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        factories.incident(**values)
    assert caught.value.field == field
    assert not Incident.objects.exists()


def test_it_accepts_category_spellings_and_rsit_types() -> None:
    assert factories.incident(category="DNS:Delegation Hijack").category == "delegation-hijack"
    assert factories.incident(category="phishing").category == "phishing"


def test_a_responder_who_opens_an_incident_is_assigned_to_see_it() -> None:
    person = responder()
    incident = factories.incident(person)
    assert list(incident.assignees.all()) == [person]


def test_it_sends_incident_created_after_commit(django_capture_on_commit_callbacks: Any) -> None:
    received: list[Any] = []

    def listener(**kwargs: Any) -> None:
        received.append(kwargs["incident"])

    incident_created.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            incident = factories.incident()
        assert received == [incident]
    finally:
        incident_created.disconnect(listener)


@pytest.mark.parametrize("severity", [Severity.HIGH, Severity.CRITICAL])
def test_high_and_critical_incidents_queue_a_page(severity: str) -> None:
    incident = factories.incident(severity=severity)
    run = JobRun.objects.get(name="incidents.page_on_call")
    assert run.kwargs == {"incident_id": incident.pk}


def test_medium_incidents_do_not_page() -> None:
    factories.incident(severity=Severity.MEDIUM)
    assert not JobRun.objects.filter(name="incidents.page_on_call").exists()


def test_raising_the_severity_to_high_pages() -> None:
    incident = factories.incident(severity=Severity.LOW)
    services.update_incident(incident, by=staff(), severity=Severity.HIGH)
    assert JobRun.objects.filter(name="incidents.page_on_call").count() == 1
    assert "Severity: low -> high." in incident.journal.last().text  # type: ignore[union-attr]


def test_every_declared_transition_is_allowed_and_stamps_times() -> None:
    analyst = staff()
    incident = factories.incident()
    for new in (S.TRIAGED, S.IN_PROGRESS, S.COORDINATING, S.MONITORING, S.RESOLVED, S.CLOSED):
        services.transition(incident, new, by=analyst)
        assert incident.status == new
    incident.refresh_from_db()
    stamps = [incident.acknowledged_at, incident.first_action_at, incident.resolved_at]
    assert all(stamps) and incident.closed_at
    assert stamps == sorted(stamps)  # type: ignore[type-var]


@pytest.mark.parametrize(
    ("old", "new"),
    [(S.NEW, S.RESOLVED), (S.NEW, S.COORDINATING), (S.NEW, "nonsense"), (S.NEW, S.NEW)],
)
def test_invalid_transitions_are_refused_naming_them(old: str, new: str) -> None:
    incident = factories.incident()
    with pytest.raises(InvalidInput) as caught:
        services.transition(incident, new, by=staff())
    assert caught.value.field == "status"
    assert new in caught.value.problem
    incident.refresh_from_db()
    assert incident.status == old
    assert incident.journal.count() == 1


def test_closed_is_final() -> None:
    incident = factories.incident()
    services.transition(incident, S.CLOSED, by=staff(), note="Duplicate of another report.")
    assert lifecycle.allowed_next(S.CLOSED) == []
    with pytest.raises(InvalidInput, match="closed -> in_progress"):
        services.transition(incident, S.IN_PROGRESS, by=staff())
    assert "Duplicate of another report." in incident.journal.last().text  # type: ignore[union-attr]


def test_reopening_a_resolved_incident_clears_resolved_at() -> None:
    analyst = staff()
    incident = factories.incident()
    for new in (S.TRIAGED, S.RESOLVED, S.IN_PROGRESS):
        services.transition(incident, new, by=analyst)
    incident.refresh_from_db()
    assert incident.resolved_at is None and incident.first_action_at is not None


def test_status_changes_are_signalled_after_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    received: list[tuple[str, str]] = []

    def listener(**kwargs: Any) -> None:
        received.append((kwargs["old"], kwargs["new"]))

    incident = factories.incident()
    incident_status_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.transition(incident, S.TRIAGED, by=staff())
        assert received == [(S.NEW, S.TRIAGED)]
    finally:
        incident_status_changed.disconnect(listener)


def test_a_team_note_is_the_first_action_but_an_inbound_mail_is_not() -> None:
    incident = factories.incident()
    services.add_journal_entry(
        incident, text="Reply", tlp=TLP.AMBER, kind=JournalKind.INBOUND_EMAIL, author_label="x"
    )
    incident.refresh_from_db()
    assert incident.first_action_at is None
    services.add_journal_entry(incident, text="Called the registry", tlp=TLP.RED, author=staff())
    incident.refresh_from_db()
    assert incident.first_action_at is not None and incident.acknowledged_at is not None


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("text", {"text": ""}),
        ("text", {"text": "a\x00b"}),
        ("tlp", {"tlp": "BLUE"}),
        ("kind", {"kind": "gossip"}),
    ],
)
def test_journal_entries_refuse_bad_input(field: str, values: dict[str, str]) -> None:
    incident = factories.incident()
    arguments = {"text": "ok", "tlp": TLP.AMBER, **values}
    with pytest.raises(InvalidInput) as caught:
        services.add_journal_entry(incident, **arguments)
    assert caught.value.field == field


def test_participants_become_recipients_and_are_notified_by_a_job() -> None:
    incident = factories.incident()
    org = factories.registry()
    participant = services.add_participant(incident, org, by=staff())
    assert list(incident.recipient_organisations.all()) == [org]
    assert JobRun.objects.filter(
        name="incidents.notify_participant", kwargs={"participant_id": participant.pk}
    ).exists()
    with pytest.raises(InvalidInput, match="already takes part"):
        services.add_participant(incident, org, by=staff())


def test_a_participant_status_change_is_journaled_and_acknowledges() -> None:
    incident = factories.incident()
    org = make_org()
    participant = factories.participant(incident, org)
    person = member(org)
    services.set_participant_status(
        participant, ParticipantStatus.ACTING, by=person, note="Locking the domain."
    )
    assert participant.acknowledged_at is not None
    entry = incident.journal.last()
    assert entry is not None and entry.organisation == org
    assert "Locking the domain." in entry.text
    with pytest.raises(InvalidInput) as caught:
        services.set_participant_status(participant, "bored", by=person)
    assert caught.value.field == "status"


def test_removing_a_participant_withdraws_its_access() -> None:
    incident = factories.incident()
    participant = factories.participant(incident, make_org())
    services.remove_participant(participant, by=staff())
    assert not incident.recipient_organisations.exists()


def test_tasks_flag_overdue_and_can_be_completed() -> None:
    incident = factories.incident()
    org = make_org()
    factories.participant(incident, org)
    task = services.add_task(
        incident,
        title="Lock the domain",
        by=staff(),
        owner_organisation=org,
        due_at=timezone.now() - timedelta(minutes=1),
    )
    assert task.is_overdue
    services.complete_task(task, by=staff())
    assert not task.is_overdue
    with pytest.raises(InvalidInput) as caught:
        services.add_task(incident, title="x", by=staff(), owner_organisation=make_org())
    assert caught.value.field == "owner_organisation"
    with pytest.raises(InvalidInput) as caught:
        services.add_task(incident, title="x", by=staff(), owner=member())
    assert caught.value.field == "owner"


def test_assigning_requires_a_team_member() -> None:
    incident = factories.incident()
    person = responder()
    services.assign(incident, person, by=staff())
    assert incident.assignee == person and person in incident.assignees.all()
    with pytest.raises(InvalidInput) as caught:
        services.assign(incident, member(), by=staff())
    assert caught.value.field == "assignee"


def test_paging_job_fails_clearly_without_the_on_call_service(monkeypatch: Any) -> None:
    import builtins

    real_import = builtins.__import__

    def refuse(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "dnscert.directory.oncall.services":
            raise ImportError("no on-call service")
        return real_import(name, *args, **kwargs)

    factories.incident(severity=Severity.CRITICAL)
    monkeypatch.setattr(builtins, "__import__", refuse)
    (run,) = run_pending(["incidents.page_on_call"])
    assert run.status == "failed"
    assert "cannot page on-call for DNSCERT-" in run.error
