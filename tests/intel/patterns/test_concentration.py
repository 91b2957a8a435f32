"""Registrar and TLD concentration over synthetic events: figures, alerts once, hand-over."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import enqueue, run_pending
from dnscert.intel.models import RegistrarSize, TldSize
from dnscert.intel.patterns import alerts, queries, sending
from dnscert.intel.patterns.choices import AlertKind, AlertStatus
from dnscert.intel.patterns.concentration import figures, make_window, today
from dnscert.intel.patterns.models import ConcentrationAlert
from tests.intel.patterns.conftest import days_ago, event, registrar
from tests.personas import member, staff

pytestmark = pytest.mark.django_db

REGISTRARS = {1001: "Alpha Registrar", 1002: "Bravo Names", 1003: "Charlie", 1004: "Delta"}


def campaign_events() -> None:
    """Alpha and Bravo hold most new abusive registrations this week; the baseline is even."""
    for number in range(30):
        event(
            f"alpha{number}.xa",
            at=days_ago(number % 6),
            iana_id=1001,
            registrar_name="Alpha Registrar",
            created_days_before=2,
        )
    for number in range(5):
        event(
            f"old{number}.xa",
            at=days_ago(1),
            iana_id=1001,
            registrar_name="Alpha Registrar",
            created_days_before=400,
        )
    for number in range(25):
        event(
            f"bravo{number}.xa",
            at=days_ago(number % 6),
            iana_id=1002,
            registrar_name="Bravo Names",
            created_days_before=1,
        )
    for iana_id in (1003, 1004):
        for number in range(3):
            event(
                f"r{iana_id}-{number}.xa",
                at=days_ago(2),
                iana_id=iana_id,
                registrar_name=REGISTRARS[iana_id],
                created_days_before=3,
            )
    for iana_id, name in REGISTRARS.items():
        for number in range(5):
            event(
                f"base{iana_id}-{number}.xa",
                at=days_ago(10 + number),
                iana_id=iana_id,
                registrar_name=name,
                created_days_before=5,
            )
    event("anonymous.xa", at=days_ago(1), created_days_before=1)


def test_it_computes_counts_shares_rates_and_jumps() -> None:
    campaign_events()
    RegistrarSize.objects.create(
        iana_id=1001, name="Alpha Registrar", domains=100_000, as_of=today() - timedelta(days=30)
    )
    TldSize.objects.create(tld="xa", domains=1_000_000, as_of=today() - timedelta(days=30))

    result = figures(make_window(), "registrar")

    rows = {row.key: row for row in result.rows}
    assert result.total_new == 30 + 25 + 6 + 1
    assert result.unattributed_new == 1
    alpha = rows["1001"]
    assert (alpha.events, alpha.domains, alpha.new_domains) == (35, 35, 30)
    assert alpha.share == round(100 * 30 / 62, 1)
    assert alpha.baseline_share == 25.0
    assert alpha.jump == round(alpha.share - 25.0, 1)
    assert alpha.rate == 3.5 and rows["1002"].rate is None
    assert [row.key for row in result.rows][:2] == ["1001", "1002"]
    tld = figures(make_window(), "tld").rows[0]
    assert tld.key == "xa" and tld.share == 100.0 and tld.size == 1_000_000


def test_it_raises_an_alert_for_the_two_registrars_once_not_twice() -> None:
    campaign_events()

    raised = alerts.detect(make_window())
    enqueue("intel_patterns.detect_concentration")
    run_pending(["intel_patterns.detect_concentration"])

    assert sorted((a.key, a.kind) for a in raised) == [
        ("1001", AlertKind.TOP),
        ("1002", AlertKind.TOP),
    ]
    assert ConcentrationAlert.objects.count() == 2
    assert alerts.detect(make_window()) == []
    alpha = ConcentrationAlert.objects.get(key="1001")
    assert alpha.details["top"] == ["Alpha Registrar", "Bravo Names"]
    rows = list(csv.DictReader(io.StringIO(alpha.domains_csv)))
    assert len(rows) == alpha.domain_count == 35
    assert sum(1 for row in rows if row["newly_registered"] == "yes") == 30


def test_it_raises_a_jump_alert_for_a_tld_whose_share_jumps(settings: Any) -> None:
    for number in range(12):
        event(f"new{number}.xb", at=days_ago(1), created_days_before=1)
    for number in range(12):
        event(f"base{number}.xa", at=days_ago(12), created_days_before=1)
        event(f"now{number}.xa", at=days_ago(2), created_days_before=1)

    raised = alerts.detect(make_window())

    assert [(a.dimension, a.key, a.kind) for a in raised] == [("tld", "xb", AlertKind.JUMP)]
    assert raised[0].share == 50.0 and raised[0].baseline_share == 0.0


def test_it_stays_quiet_below_the_minimum(settings: Any) -> None:
    settings.DNSCERT_CONCENTRATION_MIN_NEW = 100
    campaign_events()
    assert alerts.detect(make_window()) == []


def test_it_hands_over_after_staff_approval_and_scopes_the_alert(smtp_server: Any) -> None:
    alpha_org = registrar(1001, "Alpha Registrar", language="fr")
    bravo_org = registrar(1002, "Bravo Names")
    campaign_events()
    alerts.detect(make_window())
    alert = ConcentrationAlert.objects.get(key="1001")
    alpha_member, bravo_member = member(alpha_org), member(bravo_org)
    assert alert.organisation == alpha_org
    assert not queries.alerts(alpha_member).exists()  # not before the review

    count = sending.hand_over(alert, by=staff())
    run_pending()

    message = smtp_server.wait_for(1)[0]
    assert count == 1 and message["To"] == "abuse@registrar1001.example"
    assert message["Subject"].startswith("[TLP:AMBER] Concentration d'abus chez Alpha Registrar")
    attachment = next(part for part in message.walk() if part.get_filename())
    assert b"alpha0.xa" in attachment.get_payload(decode=True)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.HANDED_OVER
    assert list(queries.alerts(alpha_member)) == [alert]
    assert not queries.alerts(bravo_member).filter(pk=alert.pk).exists()
    with pytest.raises(InvalidInput):
        sending.hand_over(alert, by=staff())


def test_it_dismisses_an_alert_with_a_reason() -> None:
    campaign_events()
    alerts.detect(make_window())
    alert = ConcentrationAlert.objects.get(key="1002")
    alerts.dismiss(alert, by=staff(), note="known sinkhole operator")
    assert alert.status == AlertStatus.DISMISSED
    with pytest.raises(InvalidInput) as error:
        alerts.dismiss(alert, by=staff())
    assert error.value.field == "status"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"days": 0}, "days"),
        ({"days": "seven"}, "days"),
        ({"days": 91}, "days"),
        ({"baseline_days": 1000}, "baseline_days"),
        ({"baseline_days": -3}, "baseline_days"),
        ({"last_day": today() + timedelta(days=2)}, "last_day"),
        ({"category": "x" * 65}, "category"),
    ],
)
def test_it_refuses_a_bad_window(arguments: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        make_window(**arguments)
    assert error.value.field == field
