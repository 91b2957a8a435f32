"""Services of exercises: the schedule, pauses, the end, ad-hoc injects, delivery marking,
reply tokens and response times; the periodic job that delivers due injects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import REGISTRY, enqueue, run_pending
from dnscert.core.models import AuditEvent
from dnscert.delivery.models import OutboundMessage
from dnscert.exercises import services
from dnscert.exercises.choices import ExerciseStatus
from dnscert.exercises.mail import BODY_MARK
from dnscert.exercises.models import Exercise, Inject, InjectDelivery
from tests.exercises.factories import Cast

pytestmark = pytest.mark.django_db


def _fresh(inject: Inject) -> Inject:
    inject.refresh_from_db()
    return inject


def test_it_numbers_exercises_and_keeps_objectives(cast: Cast) -> None:
    assert cast.exercise.reference.startswith(f"EXR-{timezone.now().year}-")
    assert [o.text for o in cast.exercise.objectives.all()] == [
        "Registry confirms within 30 minutes",
        "Everyone checks delegations",
    ]
    assert list(cast.exercise.control_team.all()) == [cast.control]
    assert AuditEvent.objects.filter(object_id=str(cast.exercise.pk), action="create").exists()


def test_it_plans_injects_from_the_planned_start_then_from_the_actual_start(cast: Cast) -> None:
    planned = cast.exercise.planned_start
    assert _fresh(cast.second).due_at == planned + timedelta(minutes=30)
    started_at = timezone.now() - timedelta(minutes=5)
    services.start(cast.exercise, by=cast.control, now=started_at)
    assert _fresh(cast.first).due_at == started_at
    assert _fresh(cast.second).due_at == started_at + timedelta(minutes=30)


def test_the_job_delivers_due_injects_of_running_exercises_only(cast: Cast) -> None:
    job = REGISTRY["exercises.deliver_due"]
    assert job.schedule is not None and job.schedule.run_every == timedelta(minutes=1)
    services.start(cast.exercise, by=cast.control, now=timezone.now() - timedelta(minutes=10))
    enqueue("exercises.deliver_due")
    (run,) = run_pending(["exercises.deliver_due"])
    assert run.status == "succeeded", run.error
    assert run.result == {"delivered": [cast.first.pk]}
    assert _fresh(cast.first).delivered_at is not None
    assert _fresh(cast.second).delivered_at is None
    assert InjectDelivery.objects.filter(inject=cast.first).count() == 2
    assert services.deliver_due() == []  # delivered once only


def test_pausing_holds_injects_and_resuming_shifts_them_by_the_time_paused(cast: Cast) -> None:
    t0 = timezone.now() - timedelta(hours=2)
    services.start(cast.exercise, by=cast.control, now=t0)
    services.deliver_due(now=t0 + timedelta(minutes=1))
    services.pause(cast.exercise, by=cast.control, now=t0 + timedelta(minutes=10))
    assert services.deliver_due(now=t0 + timedelta(minutes=40)) == []  # held
    resumed = services.resume(cast.exercise, by=cast.control, now=t0 + timedelta(minutes=55))
    assert resumed.paused_for == timedelta(minutes=45)
    assert _fresh(cast.second).due_at == t0 + timedelta(minutes=75)
    assert _fresh(cast.first).due_at == t0  # delivered injects keep their time
    assert services.deliver_due(now=t0 + timedelta(minutes=74)) == []
    assert [i.pk for i in services.deliver_due(now=t0 + timedelta(minutes=75))] == [cast.second.pk]


def test_an_inject_added_after_a_pause_counts_the_pause(cast: Cast) -> None:
    t0 = timezone.now() - timedelta(hours=2)
    services.start(cast.exercise, by=cast.control, now=t0)
    services.pause(cast.exercise, by=cast.control, now=t0 + timedelta(minutes=5))
    services.resume(cast.exercise, by=cast.control, now=t0 + timedelta(minutes=25))
    late = services.add_inject(
        cast.exercise, by=cast.control, title="Late", body="Later", offset="1h"
    )
    assert late.due_at == t0 + timedelta(minutes=80)


def test_ending_stops_deliveries_and_refuses_changes(cast: Cast) -> None:
    t0 = timezone.now() - timedelta(hours=1)
    services.start(cast.exercise, by=cast.control, now=t0)
    ended = services.end(cast.exercise, by=cast.control)
    assert ended.status == ExerciseStatus.ENDED and ended.ended_at is not None
    assert services.deliver_due() == []
    assert not InjectDelivery.objects.exists()
    with pytest.raises(InvalidInput, match="cannot become running"):
        services.resume(ended, by=cast.control)
    with pytest.raises(InvalidInput, match="has ended"):
        services.add_inject(ended, by=cast.control, title="x", body="y", offset="1m")


def test_the_clock_refuses_impossible_moves(cast: Cast) -> None:
    with pytest.raises(InvalidInput, match="cannot become paused"):
        services.pause(cast.exercise, by=cast.control)
    with pytest.raises(InvalidInput, match="one of start"):
        services.control(cast.exercise, "explode", by=cast.control)
    empty = Exercise.objects.get(pk=cast.exercise.pk)
    empty.participants.all().delete()
    with pytest.raises(InvalidInput, match="at least one participant"):
        services.start(empty, by=cast.control)


def test_only_staff_control_exercises(cast: Cast) -> None:
    with pytest.raises(InvalidInput, match="only core staff"):
        services.start(cast.exercise, by=cast.xa_member)
    with pytest.raises(InvalidInput, match="only core staff"):
        services.add_inject(cast.exercise, by=cast.xa_member, title="x", body="y", offset="1m")


def test_delivery_is_marked_as_an_exercise_with_a_token_per_participant(cast: Cast) -> None:
    services.start(cast.exercise, by=cast.control)
    deliveries = services.deliver(cast.first, by=cast.control)
    assert len({d.token for d in deliveries}) == 2
    messages = list(OutboundMessage.objects.filter(category="exercises.inject"))
    assert len(messages) == 2
    for message in messages:
        assert message.subject.startswith("[EXERCISE] ")
        assert message.body.startswith(BODY_MARK + "\n")
        assert message.body.rstrip().endswith(BODY_MARK)
        token = message.headers["X-DNSCERT-Exercise"]
        assert token in message.subject and token.startswith("EXR-")
        assert "TLP:AMBER" in message.body
    assert {m.recipient for m in messages} == {"noc@nic.xa.example", "noc@nic.xb.example"}
    assert {d.emails_sent for d in deliveries} == {1}
    assert services.deliver(cast.first) == []  # delivered once


def test_injects_to_chosen_participants_and_chosen_contacts(cast: Cast) -> None:
    from dnscert.directory.models import Contact

    player = Contact.objects.create(
        organisation=cast.xa, name="Camille", email="camille@nic.xa.example", languages=["fr"]
    )
    services.add_participant(cast.exercise, cast.xa, by=cast.control, contacts=[player])
    chosen = services.add_inject(
        cast.exercise,
        by=cast.control,
        title="Only XA",
        body="For XA",
        offset="5m",
        recipients=[cast.participant(cast.xa)],
    )
    services.start(cast.exercise, by=cast.control)
    (delivery,) = services.deliver(chosen)
    assert delivery.participant.organisation == cast.xa
    (message,) = OutboundMessage.objects.filter(subject__contains="Only XA")
    assert message.recipient == "camille@nic.xa.example" and message.language == "fr"


def test_an_ad_hoc_inject_goes_out_at_once(cast: Cast) -> None:
    with pytest.raises(InvalidInput, match="not running"):
        services.send_now(cast.exercise, by=cast.control, title="Now", body="Now!")
    services.start(cast.exercise, by=cast.control)
    services.pause(cast.exercise, by=cast.control)
    inject = services.send_now(cast.exercise, by=cast.control, title="Now", body="Clarification")
    assert inject.ad_hoc and inject.delivered_at is not None
    assert inject.deliveries.count() == 2


def test_editor_changes_only_undelivered_injects_and_reorders(cast: Cast) -> None:
    services.move_inject(cast.second, by=cast.control, direction="up")
    assert list(cast.exercise.injects.values_list("pk", flat=True)) == [
        cast.second.pk,
        cast.first.pk,
    ]
    services.update_inject(cast.second, by=cast.control, title="Renamed", body="b", offset="2h")
    assert _fresh(cast.second).due_at == cast.exercise.planned_start + timedelta(hours=2)
    services.start(cast.exercise, by=cast.control)
    services.deliver(cast.first)
    with pytest.raises(InvalidInput, match="already delivered"):
        services.update_inject(cast.first, by=cast.control, title="x", body="y", offset="1m")
    with pytest.raises(InvalidInput, match="already delivered"):
        services.delete_inject(cast.first, by=cast.control)
    services.delete_inject(cast.second, by=cast.control)
    assert list(cast.exercise.injects.all()) == [cast.first]


def test_reply_token_records_an_answer_and_the_time_to_respond(cast: Cast) -> None:
    t0 = timezone.now() - timedelta(minutes=30)
    services.start(cast.exercise, by=cast.control, now=t0)
    services.deliver(cast.first, now=t0)
    delivery = InjectDelivery.objects.get(inject=cast.first, participant__organisation=cast.xa)
    text = (
        f"Re: [EXERCISE] Unexpected NS change [{delivery.token_label}]\n\n"
        "Non planifié, nous gelons le domaine.\n> The NS set of xa. changed."
    )
    answer = services.acknowledge_reply(text, sender=cast.xa_member.email)
    assert answer is not None and answer.via == "email"
    assert answer.author == cast.xa_member
    assert "gelons" in answer.body and "> The NS set" not in answer.body
    delivery.refresh_from_db()
    assert delivery.first_response_at == answer.received_at
    assert delivery.time_to_respond is not None
    assert timedelta(minutes=29) < delivery.time_to_respond < timedelta(minutes=31)
    later = services.respond(delivery, by=cast.xa_member, body="Update: frozen.")
    delivery.refresh_from_db()
    assert delivery.first_response_at == answer.received_at != later.received_at


def test_the_report_sums_up_times_per_inject_and_participant(cast: Cast) -> None:
    from dnscert.exercises import report

    t0 = timezone.now() - timedelta(hours=1)
    services.start(cast.exercise, by=cast.control, now=t0)
    services.deliver(cast.first, now=t0)
    for org, minutes in ((cast.xa, 6), (cast.xb, 18)):
        delivery = InjectDelivery.objects.get(inject=cast.first, participant__organisation=org)
        services.respond(
            delivery, by=None, body="ok", now=t0 + timedelta(minutes=minutes), via="email"
        )
    built = report.build(cast.exercise)
    (first,) = built.per_inject
    assert (first.delivered, first.answered, first.missed) == (2, 2, 0)
    assert first.median_minutes == 12.0 and first.slowest_minutes == 18.0
    assert [(p.label, p.median_minutes) for p in built.per_participant] == [
        ("Registre XA", 6.0),
        ("XB Registry", 18.0),
    ]
    assert built.chart() == {
        "labels": ["Unexpected NS change"],
        "series": {"Registre XA": [6.0], "XB Registry": [18.0]},
    }
    assert [i.pk for i in built.pending] == [cast.second.pk]
