"""The staff pages end to end with the test client: plan an exercise, choose who plays, edit
and reorder injects, run the clock, send an ad-hoc inject, take notes, write the lessons."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from dnscert.directory.models import Contact
from dnscert.exercises.models import Exercise
from tests.exercises.factories import Cast
from tests.personas import login_verified

pytestmark = pytest.mark.django_db


def _messages(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_it_plans_and_runs_an_exercise_through_the_pages(cast: Cast) -> None:
    client = login_verified(Client(), cast.control)
    created = client.post(
        "/exercises/new/",
        {
            "title": "Resolver flaw under embargo",
            "scenario": "A resolver vulnerability is reported under embargo.",
            "objectives": "Vendors acknowledge within a day\n- Patch plan agreed\n",
            "tlp": "AMBER+STRICT",
            "planned_start": "2030-03-01T09:00",
            "control_team": [cast.control.pk],
        },
    )
    exercise = Exercise.objects.get(title="Resolver flaw under embargo")
    assert created["Location"] == f"/exercises/{exercise.reference}/injects/"
    assert [o.text for o in exercise.objectives.all()] == [
        "Vendors acknowledge within a day",
        "Patch plan agreed",
    ]
    assert exercise.planned_start.isoformat() == "2030-03-01T09:00:00+00:00"
    base = f"/exercises/{exercise.reference}/"

    player = Contact.objects.get(organisation=cast.xa)
    client.post(base + "participants/", {"organisation": cast.xa.pk, "contacts": [player.pk]})
    client.post(base + "participants/", {"organisation": cast.xb.pk})
    assert list(exercise.participants.get(organisation=cast.xa).contacts.all()) == [player]
    refused = client.post(
        base + "participants/",
        {"organisation": cast.xb.pk, "contacts": [player.pk]},
    )
    assert any("not contacts of XB Registry" in m for m in _messages(refused))

    for title, offset in (("First", "+0:00"), ("Second", "15m"), ("Third", "1h")):
        client.post(base + "injects/", {"title": title, "body": f"{title} body", "offset": offset})
    _first, second, third = exercise.injects.order_by("position")
    xb = exercise.participants.get(organisation=cast.xb)
    edited = client.post(
        base + f"injects/{second.pk}/edit/",
        {"title": "Second, for XB", "body": "b", "at": "2030-03-01T09:20", "recipients": [xb.pk]},
    )
    assert edited.status_code == 302
    second.refresh_from_db()
    assert second.offset is None and second.due_at.isoformat() == "2030-03-01T09:20:00+00:00"
    assert list(second.recipients.all()) == [xb] and not second.all_participants
    client.post(base + f"injects/{third.pk}/move/", {"direction": "up"})
    assert [i.title for i in exercise.injects.all()] == ["First", "Third", "Second, for XB"]
    client.post(base + f"injects/{third.pk}/delete/")
    editor = client.get(base + "injects/").content.decode()
    assert (
        f'data-inject="{third.pk}"' not in editor
        and "+0:15" not in editor
        and "2030-03-01 09:20" in editor
    )

    started = client.post(base + "control/clock/", {"action": "start"})
    assert any("Running" in m for m in _messages(started))
    client.post(base + "control/send-now/", {"title": "Clarification", "body": "Ad hoc"})
    sent = exercise.injects.get(title="Clarification")
    assert sent.ad_hoc and sent.deliveries.count() == 2
    client.post(base + "control/notes/", {"body": "XA called the hotline instead."})
    client.post(base + "control/clock/", {"action": "pause"})
    wrong = client.post(base + "control/clock/", {"action": "start"})
    assert any("resumed, not started" in m for m in _messages(wrong))
    client.post(base + "control/clock/", {"action": "resume"})
    client.post(base + "control/clock/", {"action": "end"})
    client.post(base + "report/lessons/", {"text": "Keep the hotline number in every inject."})
    exercise.refresh_from_db()
    assert exercise.status == "ended" and exercise.notes.count() == 1
    assert exercise.lessons_learned == "Keep the hotline number in every inject."
    report = client.get(base + "report/?format=md").content.decode()
    assert "XA called the hotline instead." in report and "Clarification" in report
    room = client.get(base + "control/").content.decode()
    assert 'name="action" value="start"' not in room and "Send now" not in room


def test_the_form_names_what_is_wrong(cast: Cast) -> None:
    client = login_verified(Client(), cast.control)
    response = client.post("/exercises/new/", {"title": "", "planned_start": "tomorrow"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html and "Enter a valid date/time." in html
    base = f"/exercises/{cast.exercise.reference}/"
    bad = client.post(base + f"injects/{cast.first.pk}/edit/", {"title": "T", "body": "B"})
    assert bad.status_code == 400
    assert "give an offset from the start or an absolute time" in bad.content.decode()
