"""Access to every page and endpoint of exercises for the four personas: an anonymous
visitor, a member of an organisation not taking part, a participant, and staff. A
participant sees only the injects delivered to their organisation and their own answers,
never observer notes, expected actions or another participant's answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dnscert.exercises import services
from dnscert.exercises.models import Exercise, InjectDelivery
from tests.exercises.factories import Cast
from tests.personas import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(cast: Cast) -> Cast:
    """The cast's exercise running: inject 1 to everyone, a private one to XB only, answers
    from both registries, an observer note."""
    services.start(cast.exercise, by=cast.control)
    services.deliver(cast.first)
    services.send_now(
        cast.exercise,
        by=cast.control,
        title="Private to XB",
        body="XB only material",
        expected_action="XB rotates keys",
        recipients=[cast.participant(cast.xb)],
    )
    for org, text in ((cast.xa, "answer from XA"), (cast.xb, "answer from XB")):
        delivery = InjectDelivery.objects.get(inject=cast.first, participant__organisation=org)
        services.respond(delivery, by=None, body=text)
    services.add_note(cast.exercise, by=cast.control, body="control-room secret note")
    cast.exercise = Exercise.objects.get(pk=cast.exercise.pk)
    return cast


def _staff_pages(cast: Cast) -> list[tuple[str, str]]:
    ref, inject = cast.exercise.reference, cast.second.pk
    base = f"/exercises/{ref}/"
    objective = cast.exercise.objectives.first()
    assert objective is not None
    participant = cast.participant(cast.xa).pk
    return [
        ("get", "/exercises/"),
        ("get", "/exercises/new/"),
        ("get", base + "edit/"),
        ("get", base + "participants/"),
        ("post", base + f"participants/{participant}/remove/"),
        ("get", base + "injects/"),
        ("get", base + f"injects/{inject}/edit/"),
        ("post", base + f"injects/{inject}/delete/"),
        ("post", base + f"injects/{inject}/move/"),
        ("get", base + "control/"),
        ("post", base + "control/clock/"),
        ("post", base + "control/send-now/"),
        ("post", base + "control/notes/"),
        ("get", base + "report/"),
        ("get", base + "report/?format=csv"),
        ("post", base + f"report/objectives/{objective.pk}/"),
        ("post", base + "report/lessons/"),
    ]


def _member_pages(cast: Cast) -> list[tuple[str, str]]:
    base = f"/exercises/{cast.exercise.reference}/"
    return [
        ("get", base),
        ("get", base + "play/"),
        ("post", base + f"injects/{cast.first.pk}/answer/"),
    ]


def _as(user: Any) -> Client:
    return login_verified(Client(), user)


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(running: Cast) -> None:
    client = Client()
    for method, url in [
        *_staff_pages(running),
        *_member_pages(running),
        ("get", "/exercises/mine/"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert "/accounts/login/" in response["Location"], (method, url)


def test_members_never_reach_staff_pages(running: Cast) -> None:
    for user in (running.xa_member, running.outsider):
        client = _as(user)
        for method, url in _staff_pages(running):
            assert getattr(client, method)(url).status_code == 403, (user, method, url)
    assert running.exercise.injects.count() == 3
    assert running.exercise.notes.count() == 1


def test_an_outsider_does_not_see_the_exercise_at_all(running: Cast) -> None:
    client = _as(running.outsider)
    for method, url in _member_pages(running):
        assert getattr(client, method)(url, {"body": "x"}).status_code == 404, (method, url)
    mine = client.get("/exercises/mine/").content.decode()
    assert running.exercise.reference not in mine


def test_a_participant_sees_only_what_was_delivered_to_it(running: Cast) -> None:
    client = _as(running.xa_member)
    detail = client.get(f"/exercises/{running.exercise.reference}/")
    assert detail.status_code == 302 and detail["Location"].endswith("/play/")
    assert running.exercise.reference in client.get("/exercises/mine/").content.decode()
    page = client.get(f"/exercises/{running.exercise.reference}/play/").content.decode()
    assert "The NS set of xa. changed" in page and "answer from XA" in page
    assert "EXERCISE EXERCISE EXERCISE" in page
    for hidden in (
        "answer from XB",
        "XB only material",
        "Forged answers",  # not delivered yet
        "control-room secret note",
        "Confirm within 30 minutes",  # the expected action
        running.exercise.scenario,
    ):
        assert hidden not in page, hidden


def test_a_participant_cannot_answer_an_inject_sent_to_another(running: Cast) -> None:
    private = running.exercise.injects.get(title="Private to XB")
    response = _as(running.xa_member).post(
        f"/exercises/{running.exercise.reference}/injects/{private.pk}/answer/", {"body": "mine"}
    )
    assert response.status_code == 404
    assert not private.deliveries.filter(responses__body="mine").exists()


def test_a_participant_answers_on_the_portal(running: Cast) -> None:
    url = f"/exercises/{running.exercise.reference}/injects/{running.first.pk}/answer/"
    response = _as(running.xa_member).post(url, {"body": "Second thought from XA"})
    assert response.status_code == 302
    delivery = InjectDelivery.objects.get(
        inject=running.first, participant__organisation=running.xa
    )
    assert delivery.responses.filter(
        body="Second thought from XA", author=running.xa_member
    ).exists()


def test_staff_reach_every_page(running: Cast) -> None:
    client = _as(running.control)
    for method, url in _staff_pages(running):
        if method == "get":
            assert client.get(url).status_code == 200, url
    room = client.get(f"/exercises/{running.exercise.reference}/control/").content.decode()
    assert "answer from XA" in room and "answer from XB" in room
    assert "control-room secret note" in room and "XB only material" in room
    listing = client.get("/exercises/?q=hijacked&status=running").content.decode()
    assert running.exercise.reference in listing
    assert running.exercise.reference not in client.get("/exercises/?status=ended").content.decode()
    assert running.exercise.reference in client.get("/exercises/?organisation=XB").content.decode()


# --- the API --------------------------------------------------------------------------------


def _api(client: Client, method: str, url: str, data: Any = None) -> Any:
    return getattr(client, method)(url, data or {}, content_type="application/json")


def _staff_endpoints(cast: Cast) -> list[tuple[str, str]]:
    ref = cast.exercise.reference
    return [
        ("post", "/api/exercises/"),
        ("patch", f"/api/exercises/{ref}/"),
        ("post", f"/api/exercises/{ref}/control/"),
        ("post", f"/api/exercises/{ref}/participants/"),
        ("post", f"/api/exercises/{ref}/send-now/"),
        ("get", f"/api/exercises/{ref}/report/"),
        ("post", f"/api/exercises/{ref}/injects/"),
        ("patch", f"/api/exercises/{ref}/injects/{cast.first.pk}/"),
        ("delete", f"/api/exercises/{ref}/injects/{cast.second.pk}/"),
    ]


def _read_endpoints(cast: Cast) -> list[tuple[str, str]]:
    ref = cast.exercise.reference
    return [
        ("get", f"/api/exercises/{ref}/"),
        ("get", f"/api/exercises/{ref}/injects/"),
        ("get", f"/api/exercises/{ref}/injects/{cast.first.pk}/"),
        ("get", f"/api/exercises/{ref}/responses/"),
        ("post", f"/api/exercises/{ref}/injects/{cast.first.pk}/respond/"),
    ]


def test_the_api_refuses_anonymous_callers(running: Cast) -> None:
    client = Client()
    endpoints = [("get", "/api/exercises/"), *_staff_endpoints(running), *_read_endpoints(running)]
    for method, url in endpoints:
        assert _api(client, method, url).status_code in (401, 403), (method, url)


def test_the_api_refuses_control_to_members(running: Cast) -> None:
    client = _as(running.xa_member)
    for method, url in _staff_endpoints(running):
        assert _api(client, method, url, {"action": "end"}).status_code in (403, 404), (method, url)
    running.exercise.refresh_from_db()
    assert running.exercise.status == "running"


def test_the_api_hides_the_exercise_from_outsiders(running: Cast) -> None:
    client = _as(running.outsider)
    assert client.get("/api/exercises/").json()["results"] == []
    for method, url in _read_endpoints(running):
        assert _api(client, method, url, {"body": "x"}).status_code == 404, (method, url)


def test_the_api_gives_a_participant_its_injects_and_answers_only(running: Cast) -> None:
    client = _as(running.xa_member)
    ref = running.exercise.reference
    (exercise,) = client.get("/api/exercises/").json()["results"]
    assert exercise["reference"] == ref and "scenario" not in exercise
    injects = client.get(f"/api/exercises/{ref}/injects/").json()["results"]
    assert [i["title"] for i in injects] == ["Unexpected NS change"]
    assert "expected_action" not in injects[0]
    answers = client.get(f"/api/exercises/{ref}/responses/").json()["results"]
    assert [a["body"] for a in answers] == ["answer from XA"]
    created = _api(
        client, "post", f"/api/exercises/{ref}/injects/{running.first.pk}/respond/", {"body": "API"}
    )
    assert created.status_code == 201 and created.json()["via"] == "api"
    private = running.exercise.injects.get(title="Private to XB")
    refused = _api(
        client, "post", f"/api/exercises/{ref}/injects/{private.pk}/respond/", {"body": "x"}
    )
    assert refused.status_code == 404


def test_staff_plan_and_control_through_the_api(running: Cast) -> None:
    client = _as(running.control)
    created = _api(
        client,
        "post",
        "/api/exercises/",
        {"title": "API drill", "planned_start": "2030-01-01T09:00:00Z", "objectives": ["One"]},
    )
    assert created.status_code == 201, created.json()
    ref = created.json()["reference"]
    joined = _api(
        client, "post", f"/api/exercises/{ref}/participants/", {"organisation": running.xa.pk}
    )
    assert joined.status_code == 201, joined.json()
    inject = _api(
        client,
        "post",
        f"/api/exercises/{ref}/injects/",
        {"title": "T", "body": "B", "offset": "+0:05"},
    )
    assert inject.status_code == 201 and inject.json()["offset"] == "+0:05"
    started = _api(client, "post", f"/api/exercises/{ref}/control/", {"action": "start"})
    assert started.status_code == 200 and started.json()["status"] == "running"
    sent = _api(client, "post", f"/api/exercises/{ref}/send-now/", {"title": "Now", "body": "B"})
    assert sent.status_code == 201 and sent.json()["delivered_at"]
    figures = client.get(f"/api/exercises/{running.exercise.reference}/report/").json()
    assert {row["label"] for row in figures["per_participant"]} == {"Registre XA", "XB Registry"}
    answers = client.get(f"/api/exercises/{running.exercise.reference}/responses/").json()
    assert {a["body"] for a in answers["results"]} == {"answer from XA", "answer from XB"}


def test_pages_speak_french(running: Cast) -> None:
    play = _as(running.xa_member).get(
        f"/exercises/{running.exercise.reference}/play/", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "ne le traitez pas comme un incident réel" in play.content.decode()
    room = _as(running.control).get(
        f"/exercises/{running.exercise.reference}/control/", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "Salle de contrôle" in room.content.decode()


def test_list_and_control_room_queries_do_not_grow_with_rows(
    running: Cast, django_assert_max_num_queries: Any
) -> None:
    from tests.exercises import factories

    client = _as(running.control)
    ref = running.exercise.reference
    client.get("/exercises/")  # warm the session and caches
    for _ in range(5):
        factories.exercise(running.control)
        services.send_now(
            Exercise.objects.get(pk=running.exercise.pk), by=running.control, title="More", body="b"
        )
    with django_assert_max_num_queries(6):
        assert client.get("/exercises/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/exercises/{ref}/control/").status_code == 200
