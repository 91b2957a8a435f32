"""TLP: who sees an incident and which of its journal entries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dnscert.core.choices import TLP
from dnscert.incidents import queries, services
from dnscert.incidents.choices import ParticipantStatus
from tests.incidents import factories
from tests.personas import login_verified, make_org, member, outsider, responder, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    """An AMBER incident with one participant organisation and a note of every label."""
    analyst = staff()
    incident = factories.incident(analyst, tlp=TLP.AMBER)
    registry = make_org(name="Registry")
    factories.participant(incident, registry, analyst)
    for label in TLP:
        services.add_journal_entry(
            incident, text=f"note {label.value}", tlp=label.value, author=analyst
        )
    return {
        "incident": incident,
        "analyst": analyst,
        "member": member(registry),
        "outsider": outsider(),
        "responder": responder(),
    }


def _texts(user: Any, incident: Any) -> set[str]:
    return {entry.text for entry in queries.visible_journal(user, incident)}


def test_a_participant_member_sees_the_incident_but_never_a_red_entry(world: Any) -> None:
    incident, person = world["incident"], world["member"]
    assert queries.visible_incidents(person).get() == incident
    seen = _texts(person, incident)
    assert {"note CLEAR", "note GREEN", "note AMBER", "note AMBER+STRICT"} <= seen
    assert "note RED" not in seen
    assert not queries.journal_for(person).filter(tlp=TLP.RED).exists()


def test_a_member_of_another_organisation_never_sees_the_incident(world: Any) -> None:
    person = world["outsider"]
    assert not queries.visible_incidents(person).exists()
    assert not queries.journal_for(person).exists()
    assert not queries.visible_participants(person).exists()
    assert not queries.visible_tasks(person).exists()
    assert not queries.visible_indicators(person).exists()
    assert not queries.portal_incidents(person).exists()


def test_staff_see_everything_and_an_unassigned_responder_nothing_amber(world: Any) -> None:
    assert len(_texts(world["analyst"], world["incident"])) == 7
    assert not queries.visible_incidents(world["responder"]).exists()


def test_an_assigned_responder_sees_red_entries(world: Any) -> None:
    services.assign(world["incident"], world["responder"], by=world["analyst"])
    assert "note RED" in _texts(world["responder"], world["incident"])
    assert queries.can_manage(world["responder"], world["incident"])


def test_a_clients_member_sees_amber_but_not_amber_strict(world: Any) -> None:
    client_org = make_org(name="Client of the registry")
    world["incident"].recipient_organisations.get().clients.add(client_org)
    person = member(client_org)
    seen = _texts(person, world["incident"])
    assert "note AMBER" in seen and "note AMBER+STRICT" not in seen and "note RED" not in seen


def test_a_red_incident_stays_hidden_from_participant_members_unless_named(world: Any) -> None:
    incident = factories.incident(world["analyst"], tlp=TLP.RED)
    factories.participant(incident, world["member"].organisation)
    assert not queries.visible_incidents(world["member"]).filter(pk=incident.pk).exists()
    incident.named_recipients.add(world["member"])
    assert queries.visible_incidents(world["member"]).filter(pk=incident.pk).exists()


def test_authors_see_their_own_red_update(world: Any) -> None:
    participant = world["incident"].participants.get()
    services.post_participant_update(
        participant, text="our secret", tlp=TLP.RED, by=world["member"]
    )
    assert "our secret" in _texts(world["member"], world["incident"])
    assert "our secret" not in _texts(member(participant.organisation), world["incident"])


def test_the_pages_apply_the_same_rules(world: Any) -> None:
    incident = world["incident"]
    url = incident.get_absolute_url()
    page = login_verified(Client(), world["member"]).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "note AMBER" in html and "note RED" not in html
    assert 'id="deliveries"' not in html and 'id="status-actions"' not in html
    assert login_verified(Client(), world["outsider"]).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_a_participant_member_updates_status_from_the_portal(world: Any) -> None:
    incident, person = world["incident"], world["member"]
    client = login_verified(Client(), person)
    assert incident.reference in client.get("/incidents/portal/").content.decode()
    participant = incident.participants.get()
    response = client.post(
        f"{incident.get_absolute_url()}participants/{participant.pk}/status/",
        {"status": ParticipantStatus.ACTING, "note": "Domain locked", "tlp": TLP.AMBER},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.ACTING
    response = client.post(
        f"{incident.get_absolute_url()}journal/", {"text": "Update from us", "tlp": TLP.GREEN}
    )
    assert response.status_code == 302
    assert incident.journal.filter(text="Update from us", organisation=person.organisation)


def test_members_cannot_act_as_the_team(world: Any) -> None:
    incident = world["incident"]
    client = login_verified(Client(), world["member"])
    base = incident.get_absolute_url()
    for path, data in [
        ("transition/", {"status": "triaged"}),
        ("indicators/", {"kind": "domain", "value": "x.xa"}),
        ("tasks/", {"title": "t"}),
        ("participants/", {"organisation": world["member"].organisation_id}),
    ]:
        assert client.post(base + path, data).status_code == 403, path
    other = world["outsider"]
    outsider_client = login_verified(Client(), other)
    participant = incident.participants.get()
    status_url = f"{base}participants/{participant.pk}/status/"
    assert outsider_client.post(status_url, {"status": "done"}).status_code == 404
