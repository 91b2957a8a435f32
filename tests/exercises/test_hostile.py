"""Hostile and malformed input: offsets, huge bodies, unknown and forged reply tokens,
answers to undelivered injects or after the end, markup and spreadsheet formulas."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from dnscert.core.exceptions import InvalidInput
from dnscert.core.models import AuditEvent
from dnscert.exercises import export, report, schedule, services
from dnscert.exercises.models import InjectDelivery, Response
from tests.exercises.factories import Cast
from tests.personas import login_verified

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+1:30", timedelta(hours=1, minutes=30)),
        ("01:30:15", timedelta(hours=1, minutes=30, seconds=15)),
        ("90m", timedelta(minutes=90)),
        ("1h 30m", timedelta(minutes=90)),
        ("2d", timedelta(days=2)),
        ("0m", timedelta(0)),
    ],
)
def test_it_reads_offsets_as_people_write_them(text: str, expected: timedelta) -> None:
    assert schedule.parse_offset(text) == expected
    assert schedule.parse_offset(schedule.format_offset(expected)) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "give an offset"),
        ("soon", "is not an offset"),
        ("-10m", "is not an offset"),
        ("1:75", "is not an offset"),
        ("10x", "is not an offset"),
        ("1h30", "is not an offset"),
        ("31d", "cannot exceed 30 days"),
        ("99999h", "cannot exceed 30 days"),
        ("1h; DROP TABLE", "is not an offset"),
    ],
)
def test_it_refuses_malformed_offsets_with_a_clear_error(text: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        schedule.parse_offset(text)
    assert caught.value.field == "offset" and problem in caught.value.problem


def test_the_inject_form_and_api_name_a_bad_offset(cast: Cast) -> None:
    client = login_verified(Client(), cast.control)
    ref = cast.exercise.reference
    page = client.post(f"/exercises/{ref}/injects/", {"title": "T", "body": "B", "offset": "later"})
    assert page.status_code == 302
    listing = client.get(page["Location"]).content.decode()
    assert "offset" in listing and "is not an offset" in listing
    answer = client.post(
        f"/api/exercises/{ref}/injects/",
        {"title": "T", "body": "B", "offset": "-5m"},
        content_type="application/json",
    )
    assert answer.status_code == 400 and "offset" in answer.json()
    both = client.post(
        f"/api/exercises/{ref}/injects/",
        {"title": "T", "body": "B", "offset": "5m", "at": "2030-01-01T00:00:00Z"},
        content_type="application/json",
    )
    assert both.status_code == 400 and "not both" in str(both.json())
    assert cast.exercise.injects.count() == 2


def test_huge_bodies_are_refused(cast: Cast) -> None:
    huge = "x" * (services.MAX_TEXT + 1)
    with pytest.raises(InvalidInput, match="at most 20000"):
        services.add_inject(cast.exercise, by=cast.control, title="T", body=huge, offset="1m")
    with pytest.raises(InvalidInput, match="title"):
        services.add_inject(cast.exercise, by=cast.control, title="T" * 201, body="b", offset="1m")
    services.start(cast.exercise, by=cast.control)
    (delivery, _other) = services.deliver(cast.first)
    with pytest.raises(InvalidInput, match="at most 20000"):
        services.respond(delivery, by=None, body=huge)
    with pytest.raises(InvalidInput, match="may not be empty"):
        services.respond(delivery, by=None, body="   ")
    client = login_verified(Client(), cast.xa_member)
    ref = cast.exercise.reference
    refused = client.post(
        f"/api/exercises/{ref}/injects/{cast.first.pk}/respond/",
        {"body": huge},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert not Response.objects.exists()


def test_unknown_and_forged_tokens_are_ignored(cast: Cast) -> None:
    services.start(cast.exercise, by=cast.control)
    services.deliver(cast.first)
    real = InjectDelivery.objects.filter(inject=cast.first).first()
    assert real is not None
    forged = "f" * 24 if real.token != "f" * 24 else "e" * 24
    for text in (
        "no token at all",
        f"Re: [EXERCISE] EXR-{forged}",
        f"EXR-{real.token[:-1]}",  # too short
        f"EXR-{real.token}0",  # too long
        f"EXR-{real.token[:-1]}g",  # not hex
        cast.exercise.reference,  # the exercise reference is not a reply token
        "EXR-" + "'; DROP TABLE exercises_response; --",
    ):
        assert services.acknowledge_reply(text, sender="attacker@evil.example") is None, text
    assert not Response.objects.exists()
    contact = real.participant.organisation.contacts.get()
    found = services.acknowledge_reply(f"ok {real.token_label.lower()}", sender=contact.email)
    assert found is not None and found.author is None
    assert found.author_label == f"{real.participant.organisation.name} <{contact.email}>"


@pytest.mark.parametrize("sender", ["", "not an address", "x@y.example", "xb"])
def test_a_reply_from_outside_the_participant_is_left_to_intake(cast: Cast, sender: str) -> None:
    services.start(cast.exercise, by=cast.control)
    services.deliver(cast.first)
    xa = InjectDelivery.objects.get(inject=cast.first, participant__organisation=cast.xa)
    address = cast.xb_member.email if sender == "xb" else sender  # another participant's member
    assert services.acknowledge_reply(f"[{xa.token_label}] done", sender=address) is None
    assert not Response.objects.exists()
    xa.refresh_from_db()
    assert xa.first_response_at is None
    refused = AuditEvent.objects.filter(
        object_type="exercises.exercise", object_id=str(cast.exercise.pk)
    )
    assert refused.filter(changes__refused_reply_from=address.strip()).exists()


def test_answering_an_undelivered_inject_is_impossible(cast: Cast) -> None:
    services.start(cast.exercise, by=cast.control)
    client = login_verified(Client(), cast.xa_member)
    ref = cast.exercise.reference
    page = client.post(f"/exercises/{ref}/injects/{cast.second.pk}/answer/", {"body": "early"})
    assert page.status_code == 404
    api = client.post(
        f"/api/exercises/{ref}/injects/{cast.second.pk}/respond/",
        {"body": "early"},
        content_type="application/json",
    )
    assert api.status_code == 404
    assert not Response.objects.exists()


def test_answering_after_the_end_is_refused(cast: Cast) -> None:
    services.start(cast.exercise, by=cast.control)
    services.deliver(cast.first)
    delivery = InjectDelivery.objects.get(inject=cast.first, participant__organisation=cast.xa)
    services.end(cast.exercise, by=cast.control)
    with pytest.raises(InvalidInput, match="answers are closed"):
        services.respond(delivery, by=cast.xa_member, body="too late")
    assert services.acknowledge_reply(f"{delivery.token_label} late", sender="") is None
    client = login_verified(Client(), cast.xa_member)
    ref = cast.exercise.reference
    page = client.post(f"/exercises/{ref}/injects/{cast.first.pk}/answer/", {"body": "late"})
    assert page.status_code == 302
    assert "answers are closed" in client.get(page["Location"]).content.decode()
    api = client.post(
        f"/api/exercises/{ref}/injects/{cast.first.pk}/respond/",
        {"body": "late"},
        content_type="application/json",
    )
    assert api.status_code == 400 and "answers are closed" in str(api.json())
    assert not Response.objects.exists()


def test_markup_is_escaped_and_formulas_neutralised(cast: Cast) -> None:
    services.update_exercise(cast.exercise, by=cast.control, title="<script>alert(1)</script>")
    services.start(cast.exercise, by=cast.control)
    services.send_now(
        cast.exercise, by=cast.control, title='=HYPERLINK("http://evil")', body="<img src=x>"
    )
    client = login_verified(Client(), cast.control)
    room = client.get(f"/exercises/{cast.exercise.reference}/control/").content.decode()
    assert "<script>alert(1)</script>" not in room and "&lt;script&gt;" in room
    assert "<img src=x>" not in room
    csv_text = export.to_csv(report.build(cast.exercise))
    assert "'=HYPERLINK" in csv_text
    bad = client.get(f"/exercises/{cast.exercise.reference}/report/?format=exe")
    assert bad.status_code == 400 and b"md, csv, json, pdf" in bad.content


def test_foreign_contacts_and_recipients_are_refused(cast: Cast) -> None:
    from dnscert.directory.models import Contact

    stranger = Contact.objects.get(organisation=cast.xb)
    with pytest.raises(InvalidInput, match="not contacts of"):
        services.add_participant(cast.exercise, cast.xa, by=cast.control, contacts=[stranger])
    other = services.create_exercise(
        by=cast.control, title="Other", planned_start=cast.exercise.planned_start
    )
    foreign = services.add_participant(other, cast.xa, by=cast.control)
    with pytest.raises(InvalidInput, match="participants of this exercise"):
        services.add_inject(
            cast.exercise, by=cast.control, title="T", body="B", offset="1m", recipients=[foreign]
        )
    client = login_verified(Client(), cast.control)
    answer = client.post(
        f"/api/exercises/{cast.exercise.reference}/injects/",
        {"title": "T", "body": "B", "offset": "1m", "recipients": [999999]},
        content_type="application/json",
    )
    assert answer.status_code == 400 and "recipients" in answer.json()
