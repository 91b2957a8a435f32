"""KPI figures for a known set of incidents; what non-staff may count; CSV and quarterly PDF."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from pypdf import PdfReader

from dnscert.core.choices import TLP, Severity
from dnscert.core.exceptions import InvalidInput
from dnscert.incidents.models import Incident, Participant
from dnscert.insight import export, feedback, kpis
from dnscert.insight.models import FeedbackRequest
from tests.incidents import factories
from tests.personas import login_verified, make_org, member, outsider, staff

pytestmark = pytest.mark.django_db

Q1 = kpis.Period(datetime(2026, 1, 1).date(), datetime(2026, 3, 31).date())


def _opened(
    when: datetime,
    severity: str,
    category: str,
    tlp: str,
    ack_h: float,
    resolve_h: float | None,
    **kw: Any,
) -> Incident:
    incident = factories.incident(severity=severity, category=category, tlp=tlp, **kw)
    Incident.objects.filter(pk=incident.pk).update(
        created_at=when,
        acknowledged_at=when + timedelta(hours=ack_h),
        resolved_at=when + timedelta(hours=resolve_h) if resolve_h is not None else None,
    )
    incident.refresh_from_db()
    return incident


def _acked(incident: Incident, org: Any, minutes: int) -> Participant:
    participant = factories.participant(incident, org)
    notified = incident.created_at
    Participant.objects.filter(pk=participant.pk).update(
        notified_at=notified, acknowledged_at=notified + timedelta(minutes=minutes)
    )
    return participant


def _answer(participant: Participant, useful: int, timely: int, raw: str) -> None:
    request = FeedbackRequest.objects.create(
        participant=participant,
        email=f"{raw[:5]}@example.org",
        token_digest=FeedbackRequest.digest_of(raw),
        expires_at=datetime(2099, 1, 1, tzinfo=UTC),
    )
    assert request.pk
    feedback.submit_feedback(raw, useful=useful, timely=timely, comment="")


@pytest.fixture
def known() -> dict[str, Any]:
    owner = make_org(name="Owner registry")
    helper = make_org(name="Helping operator")
    a = _opened(
        datetime(2026, 1, 10, tzinfo=UTC),
        Severity.HIGH,
        "delegation-hijack",
        TLP.AMBER,
        1,
        10,
        owner_organisation=owner,
    )
    b = _opened(
        datetime(2026, 1, 20, tzinfo=UTC), Severity.HIGH, "delegation-hijack", TLP.AMBER, 3, 20
    )
    _opened(datetime(2026, 2, 5, tzinfo=UTC), Severity.MEDIUM, "dns-ddos", TLP.GREEN, 2, None)
    _opened(datetime(2026, 3, 1, tzinfo=UTC), Severity.CRITICAL, "phishing", TLP.CLEAR, 0.5, 5)
    _opened(datetime(2025, 12, 31, 23, 59, tzinfo=UTC), Severity.LOW, "phishing", TLP.CLEAR, 1, 1)
    _answer(_acked(a, helper, 30), 4, 5, "k" * 40)
    _answer(_acked(b, helper, 90), 2, 3, "m" * 40)
    return {"owner": owner, "helper": helper}


def test_it_computes_the_figures_of_a_known_quarter(known: dict[str, Any]) -> None:
    figures = kpis.compute(staff(), Q1)

    assert figures["months"] == ["2026-01", "2026-02", "2026-03"]
    assert figures["total"] == 4
    assert figures["by_severity"] == {"info": 0, "low": 0, "medium": 1, "high": 2, "critical": 1}
    assert figures["by_category"] == {"delegation-hijack": 2, "dns-ddos": 1, "phishing": 1}
    assert figures["monthly_by_severity"] == {
        "critical": [0, 0, 1],
        "high": [2, 0, 0],
        "medium": [0, 1, 0],
    }
    high_january = next(
        row
        for row in figures["response_times"]
        if (row["severity"], row["month"]) == ("high", "2026-01")
    )
    assert high_january["acknowledge"] == {"count": 2, "median_hours": 2.0, "p90_hours": 2.8}
    assert high_january["resolve"] == {"count": 2, "median_hours": 15.0, "p90_hours": 19.0}
    medium = next(row for row in figures["response_times"] if row["severity"] == "medium")
    assert medium["resolve"] == {"count": 0, "median_hours": None, "p90_hours": None}
    ack = figures["participant_acknowledgement"]
    assert (ack["notified"], ack["count"], ack["median_hours"], ack["p90_hours"]) == (
        2,
        2,
        1.0,
        1.4,
    )
    assert ack["organisations"] == [
        {"organisation": "Helping operator", "count": 2, "median_hours": 1.0, "p90_hours": 1.4}
    ]
    fb = figures["feedback"]
    assert (fb["answers"], fb["requests"], fb["useful_average"], fb["timely_average"]) == (
        2,
        2,
        3.0,
        4.0,
    )
    assert fb["useful_distribution"] == [0, 1, 0, 1, 0]


def test_non_staff_count_only_what_they_may_see(known: dict[str, Any]) -> None:
    assert kpis.compute(outsider(), Q1)["total"] == 2  # GREEN and CLEAR
    assert kpis.compute(AnonymousUser(), Q1)["total"] == 1  # CLEAR only
    owner_member = kpis.compute(member(known["owner"]), Q1)
    assert owner_member["total"] == 3  # plus their own AMBER incident
    assert "organisations" not in owner_member["participant_acknowledgement"]


def test_it_parses_periods_and_names_bad_fields() -> None:
    assert kpis.parse_period("2026-01-01", "2026-03-31") == Q1
    assert kpis.quarter(2026, 1) == Q1
    assert kpis.quarter("2026", "4").end.isoformat() == "2026-12-31"
    with pytest.raises(InvalidInput, match="start: expected a date"):
        kpis.parse_period("yesterday", None)
    with pytest.raises(InvalidInput, match="start: 2026-04-01 is after the end"):
        kpis.parse_period("2026-04-01", "2026-03-31")
    with pytest.raises(InvalidInput, match="quarter: must be 1 to 4"):
        kpis.quarter(2026, 5)
    with pytest.raises(InvalidInput, match="start: the period may span"):
        kpis.parse_period("1990-01-01", "2026-01-01")


def test_the_staff_page_csv_and_quarterly_pdf(known: dict[str, Any], client: Client) -> None:
    login_verified(client, staff())
    page = client.get("/insight/?start=2026-01-01&end=2026-03-31")
    assert page.status_code == 200
    assert b'id="kpi-figures"' in page.content and b"Helping operator" in page.content
    assert client.get("/insight/?start=nope").status_code == 400

    response = client.get("/insight/kpis.csv?start=2026-01-01&end=2026-03-31")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "month", "key", "measure", "value"]
    assert ["incidents", "", "total", "count", "4"] in rows
    assert ["response_times", "2026-01", "high", "acknowledge_p90_hours", "2.8"] in rows

    pdf = client.get("/insight/quarterly.pdf?year=2026&quarter=1")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    assert "Quarterly report 2026 Q1" in text and "TLP:CLEAR" in text
    assert "Delegation hijack" in text
    assert "Helping operator" not in text  # the board report names no organisation
    assert client.get("/insight/quarterly.pdf?year=2026&quarter=9").status_code == 400


def test_the_quarterly_pdf_counts_what_the_reader_may_see(known: dict[str, Any]) -> None:
    data = export.quarterly_pdf(AnonymousUser(), 2026, 1)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "1 incident(s) opened from 2026-01-01 to 2026-03-31." in text


def test_the_kpi_pages_are_guarded(known: dict[str, Any], client: Client) -> None:
    assert client.get("/insight/").status_code == 302  # the public is sent to sign in
    summary = client.get("/insight/summary/?start=2026-01-01&end=2026-03-31")
    assert summary.status_code == 200 and b"1 incident(s) opened" in summary.content
    client.force_login(outsider())
    assert client.get("/insight/").status_code == 403
    assert client.get("/insight/feedback/").status_code == 403
    assert (
        b"2 incident(s) opened"
        in client.get("/insight/summary/?start=2026-01-01&end=2026-03-31").content
    )


def test_the_command_writes_the_quarterly_report(known: dict[str, Any], tmp_path: Any) -> None:
    from django.core.management import CommandError, call_command

    out = tmp_path / "q1.pdf"
    call_command("insight-quarterly", "--year", "2026", "--quarter", "1", "--out", str(out))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(out)).pages).split())
    assert "4 incident(s) opened from 2026-01-01 to 2026-03-31." in text
    with pytest.raises(CommandError, match="quarter: must be 1 to 4"):
        call_command("insight-quarterly", "--quarter", "0", "--out", str(out))
