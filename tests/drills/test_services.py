"""Drill services: targets, launch, answers by link, reply and phone, bounces, closing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import run_pending
from dnscert.core.models import AuditEvent
from dnscert.delivery.bounces import record_bounce
from dnscert.delivery.choices import MessageStatus
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.drills import services, targets
from dnscert.directory.drills.choices import ContactScope, DrillStatus, Outcome, ResponseVia
from dnscert.directory.drills.models import Probe
from tests.drills import factories
from tests.personas import make_org, member, staff

pytestmark = pytest.mark.django_db


def test_it_targets_24x7_contacts_of_every_organisation_by_default() -> None:
    factories.registry("xa")
    factories.registry("xb")
    drill = factories.drill()
    emails = sorted(targets.target_contacts(drill).values_list("email", flat=True))
    assert emails == ["noc@nic.xa.example", "noc@nic.xb.example"]


def test_it_targets_by_role_and_named_organisation_with_all_contacts() -> None:
    factories.registry("xa")
    registrar = make_org(OrganisationKind.REGISTRAR, "Registrar One")
    factories.contact(registrar, "abuse@registrar.example", is_24x7=False)
    named = factories.registry("xb")
    drill = factories.drill(
        organisation_kinds=[OrganisationKind.REGISTRAR],
        organisations=[named],
        contact_scope=ContactScope.ALL,
    )
    emails = sorted(targets.target_contacts(drill).values_list("email", flat=True))
    assert emails == ["abuse@registrar.example", "noc@nic.xb.example", "office@nic.xb.example"]


def test_it_numbers_drills_from_the_drill_series() -> None:
    first, second = factories.drill(), factories.drill()
    year = timezone.now().year
    assert first.reference == f"DRILL-{year}-0001"
    assert second.reference == f"DRILL-{year}-0002"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"organisation_kinds": ["pirate"]}, "organisation_kinds"),
        ({"contact_scope": "some"}, "contact_scope"),
        ({"response_minutes": 0}, "response_minutes"),
        ({"response_minutes": "240"}, "response_minutes"),
        ({"late_minutes": 10**6}, "late_minutes"),
    ],
)
def test_it_names_the_bad_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        factories.drill(**fields)
    assert error.value.field == field


def test_only_staff_run_drills() -> None:
    with pytest.raises(PermissionDenied):
        services.create_drill(member(), title="Mine")
    drill = factories.drill()
    with pytest.raises(PermissionDenied):
        services.launch_drill(member(), drill)


def test_it_launches_one_probe_per_contact_with_a_queued_message() -> None:
    factories.registry("xa")
    factories.registry("xb", languages=["fr", "en"])
    drill = services.launch_drill(staff(), factories.drill())
    assert drill.status == DrillStatus.RUNNING and drill.launched_at is not None
    probes = list(drill.probes.select_related("message"))
    assert len(probes) == 2
    french = factories.probe_for(drill, "noc@nic.xb.example")
    assert french.language == "fr"
    assert french.message is not None and french.message.language == "fr"
    assert french.message.subject.startswith("[EXERCICE]")
    assert french.token_label in french.message.subject
    assert f"https://cert.example/drills/respond/{french.token}/" in french.message.body
    assert french.message.reply_to == "intake@cert.example"
    english = factories.probe_for(drill, "noc@nic.xa.example")
    assert english.message is not None and english.message.subject.startswith("[DRILL]")
    assert "within\n4 hour(s)" in english.message.body
    assert english.message.headers["X-DNSCERT-Drill"] == english.token_label
    assert english.message.signed


def test_it_refuses_to_launch_twice_or_without_targets() -> None:
    with pytest.raises(InvalidInput) as error:
        services.launch_drill(staff(), factories.drill())
    assert error.value.field == "targets"
    factories.registry("xa")
    drill = factories.launched()
    with pytest.raises(services.DrillStateError):
        services.launch_drill(staff(), drill)


def test_an_answer_in_time_marks_the_contact_verified() -> None:
    factories.registry("xa")
    drill = factories.launched()
    probe = factories.probe_for(drill, "noc@nic.xa.example")
    assert probe.contact is not None and probe.contact.last_verified is None
    answered = services.respond(probe)
    assert answered.outcome == Outcome.IN_TIME and answered.responded_via == ResponseVia.LINK
    assert answered.time_to_answer is not None
    assert timedelta(minutes=29) < answered.time_to_answer < timedelta(minutes=31)
    answered.contact.refresh_from_db()  # type: ignore[union-attr]
    assert answered.contact.last_verified == timezone.localdate()  # type: ignore[union-attr]


def test_a_late_answer_is_late_and_does_not_verify() -> None:
    factories.registry("xa")
    drill = factories.launched(ago=timedelta(hours=5))
    probe = services.respond(factories.probe_for(drill, "noc@nic.xa.example"))
    assert probe.outcome == Outcome.LATE
    assert probe.contact is not None
    probe.contact.refresh_from_db()
    assert probe.contact.last_verified is None


def test_a_reused_token_keeps_the_first_answer() -> None:
    factories.registry("xa")
    drill = factories.launched()
    probe = factories.probe_for(drill, "noc@nic.xa.example")
    first = services.respond(probe, at=factories.minutes_after(drill, 10))
    again = services.respond(probe, via=ResponseVia.API)
    assert again.responded_at == first.responded_at and again.responded_via == ResponseVia.LINK


def test_it_refuses_answers_from_the_future_or_before_sending() -> None:
    factories.registry("xa")
    drill = factories.launched()
    probe = factories.probe_for(drill, "noc@nic.xa.example")
    for at in (timezone.now() + timedelta(hours=1), factories.minutes_after(drill, -5)):
        with pytest.raises(InvalidInput) as error:
            services.respond(probe, at=at)
        assert error.value.field == "at"


def test_staff_record_a_phone_answer() -> None:
    factories.registry("xa")
    drill = factories.launched()
    analyst = staff()
    at = factories.minutes_after(drill, 12)
    probe = services.record_phone_answer(
        analyst, factories.probe_for(drill, "noc@nic.xa.example"), at=at
    )
    assert probe.responded_via == ResponseVia.PHONE and probe.recorded_by == analyst
    assert probe.responded_at == at and probe.outcome == Outcome.IN_TIME
    with pytest.raises(PermissionDenied):
        services.record_phone_answer(member(), probe)


def test_a_reply_quoting_the_token_from_the_contact_counts() -> None:
    factories.registry("xa")
    drill = factories.launched()
    probe = factories.probe_for(drill, "noc@nic.xa.example")
    text = f"Re: [DRILL] Reachability drill [{probe.token_label}]\n\nReceived, thanks."
    answered = services.acknowledge_reply(text, sender="NOC@nic.xa.example")
    assert answered is not None and answered.pk == probe.pk
    assert answered.responded_via == ResponseVia.REPLY
    assert answered.responded_from == "NOC@nic.xa.example"


def test_a_reply_from_a_colleague_listed_in_the_directory_counts() -> None:
    factories.registry("xa")
    drill = factories.launched()
    probe = factories.probe_for(drill, "noc@nic.xa.example")
    answered = services.acknowledge_reply(probe.token_label, sender="office@nic.xa.example")
    assert answered is not None and answered.outcome == Outcome.IN_TIME


@pytest.mark.parametrize(
    "sender", ["", "attacker@evil.example", "noc@nic.xb.example", "not an address"]
)
def test_a_forged_reply_from_another_address_does_not_count(sender: str) -> None:
    factories.registry("xa")
    factories.registry("xb")
    drill = factories.launched()
    probe = factories.probe_for(drill, "noc@nic.xa.example")
    assert services.acknowledge_reply(f"ack {probe.token_label}", sender=sender) is None
    probe.refresh_from_db()
    assert probe.responded_at is None and probe.outcome == Outcome.PENDING
    refused = AuditEvent.objects.filter(object_type="drills.probe", object_id=str(probe.pk))
    assert refused.filter(changes__refused_reply_from=sender.strip()).exists()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no token here",
        "DRILL-0123456789abcdef0123456789abcdef",
        "DRILL-0123456789abcdef0123456789abcdeg",
        "DRILL-2026-0001",
        "DRILL-" + "a" * 31,
        "PAGE-" + "a" * 32,
        "DRILL-" + "a" * 33,
    ],
)
def test_a_reply_without_a_known_token_is_ignored(text: str) -> None:
    factories.registry("xa")
    factories.launched()
    assert services.acknowledge_reply(text, sender="noc@nic.xa.example") is None
    assert not Probe.objects.exclude(responded_at=None).exists()


@pytest.mark.parametrize("token", ["", "x", "../../etc", "A" * 32, "0" * 32, "DRILL-" + "0" * 32])
def test_unknown_or_malformed_tokens_find_nothing(token: str) -> None:
    factories.registry("xa")
    factories.launched()
    assert services.probe_by_token(token) is None


def test_the_token_is_found_with_or_without_its_prefix_in_any_case() -> None:
    factories.registry("xa")
    probe = factories.launched().probes.get()
    assert services.probe_by_token(probe.token) == probe
    assert services.probe_by_token(probe.token_label.lower()) == probe
    assert services.probe_by_token(f" {probe.token_label} ") == probe


def test_a_bounce_recorded_by_the_delivery_app_marks_the_probe() -> None:
    factories.registry("xa")
    drill = factories.launched()
    run_pending(["delivery.send"])
    probe = factories.probe_for(drill, "noc@nic.xa.example")
    assert probe.message is not None
    probe.message.refresh_from_db()
    assert probe.message.status == MessageStatus.SENT
    record_bounce(probe.message.message_id, "550 5.1.1 user unknown")
    probe.refresh_from_db()
    assert probe.bounced_at is not None and probe.outcome == Outcome.BOUNCED
    assert probe.delivery_status == "bounced"


def test_a_bounce_after_an_answer_keeps_the_answer() -> None:
    factories.registry("xa")
    drill = factories.launched()
    probe = services.respond(factories.probe_for(drill, "noc@nic.xa.example"))
    services.mark_bounced(probe)
    probe.refresh_from_db()
    assert probe.outcome == Outcome.IN_TIME and probe.bounced_at is not None


def test_closing_fixes_the_outcomes() -> None:
    for label in ("xa", "xb", "xc", "xd"):
        factories.registry(label)
    drill = factories.launched(ago=timedelta(hours=6))
    services.respond(
        factories.probe_for(drill, "noc@nic.xa.example"), at=factories.minutes_after(drill, 20)
    )
    services.respond(
        factories.probe_for(drill, "noc@nic.xb.example"), at=factories.minutes_after(drill, 300)
    )
    services.mark_bounced(factories.probe_for(drill, "noc@nic.xc.example"))
    closed = services.close_drill(staff(), drill)
    assert closed.status == DrillStatus.CLOSED and closed.closed_at is not None
    outcomes = dict(closed.probes.values_list("email", "outcome"))
    assert outcomes == {
        "noc@nic.xa.example": Outcome.IN_TIME,
        "noc@nic.xb.example": Outcome.LATE,
        "noc@nic.xc.example": Outcome.BOUNCED,
        "noc@nic.xd.example": Outcome.NO_ANSWER,
    }
    silent = factories.probe_for(closed, "noc@nic.xd.example")
    with pytest.raises(services.DrillStateError):
        services.respond(silent)
    assert services.acknowledge_reply(silent.token_label, sender=silent.email) is None
    with pytest.raises(services.DrillStateError):
        services.close_drill(staff(), closed)


def test_a_failed_delivery_counts_as_bounced_at_closing() -> None:
    factories.registry("xa")
    drill = factories.launched()
    probe = factories.probe_for(drill, "noc@nic.xa.example")
    assert probe.message is not None
    type(probe.message).objects.filter(pk=probe.message.pk).update(status=MessageStatus.FAILED)
    closed = services.close_drill(None, drill)
    assert closed.probes.get().outcome == Outcome.BOUNCED


def test_the_periodic_job_closes_drills_past_window_and_late_period() -> None:
    factories.registry("xa")
    due = factories.launched(ago=timedelta(hours=5), response_minutes=60, late_minutes=120)
    waiting = factories.launched(ago=timedelta(hours=2), response_minutes=60, late_minutes=120)
    closed = services.close_due()
    assert [drill.pk for drill in closed] == [due.pk]
    waiting.refresh_from_db()
    assert waiting.status == DrillStatus.RUNNING


def test_every_change_is_audited() -> None:
    factories.registry("xa")
    drill = factories.launched()
    services.respond(drill.probes.get())
    services.close_drill(staff(), drill)
    drill_events = AuditEvent.objects.filter(object_type="drills.drill", object_id=str(drill.pk))
    assert drill_events.count() == 3
    assert AuditEvent.objects.filter(object_type="drills.probe").exists()


def test_an_answer_never_moves_the_verification_date_backwards() -> None:
    factories.registry("xa")
    drill = factories.launched()
    probe = factories.probe_for(drill, "noc@nic.xa.example")
    later = timezone.localdate() + timedelta(days=3)
    type(probe.contact).objects.filter(pk=probe.contact_id).update(last_verified=later)
    services.respond(probe)
    assert probe.contact is not None
    probe.contact.refresh_from_db()
    assert probe.contact.last_verified == later


def test_a_contact_with_stale_invalid_data_still_gets_its_answer_recorded() -> None:
    factories.registry("xa")
    drill = factories.launched()
    probe = factories.probe_for(drill, "noc@nic.xa.example")
    type(probe.contact).objects.filter(pk=probe.contact_id).update(phone="call me maybe")
    answered = services.respond(probe)
    assert answered.outcome == Outcome.IN_TIME
    assert answered.contact is not None
    answered.contact.refresh_from_db()
    assert answered.contact.last_verified is None
    note = AuditEvent.objects.filter(object_type="directory.contact").latest("id")
    assert "not_verified" in note.changes
