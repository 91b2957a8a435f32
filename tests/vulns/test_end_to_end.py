"""The whole story of a case, modelled on the 2008 cache-poisoning flaw.

A researcher reports a flaw in a resolver product; the three vendors shipping it are
proposed from the product and notified by signed e-mail (real SMTP listener); two
acknowledge by e-mail reply through the intake; one stays silent and is flagged after its
deadline; a private message to one vendor stays invisible to the others; the embargo passes
and the draft advisory carries each vendor's status.
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dnscert.core.jobs import enqueue, run_pending
from dnscert.incidents.intake.models import Report
from dnscert.incidents.intake.services import receive_email
from dnscert.vulns import reports
from dnscert.vulns.choices import CaseStatus, VendorStatus
from dnscert.vulns.models import Case, CaseVendor
from tests.personas import login_verified, member, staff
from tests.vulns import factories

pytestmark = pytest.mark.django_db


def _reply(org: Any, case: Case, first_line: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Security <{factories.contact_email(org)}>"
    message["To"] = "cert@dnscert.example"
    message["Subject"] = f"Re: [TLP:AMBER+STRICT] [{case.reference}] Vulnerability coordination"
    message["Message-ID"] = make_msgid(domain="vendor.example")
    message.set_content(f"{first_line}\n\nWe are looking into it.\n")
    return message.as_bytes()


def _report_flaw(client: Client) -> Report:
    response = client.post(
        "/report/vulnerability/",
        {
            "reporter_name": "Dan K.",
            "reporter_email": "dan@research.example",
            "software": "Resolvd",
            "versions": "< 9.5.1",
            "subject": "Cache poisoning by transaction id and port prediction",
            "body": "Forged answers win the race when the source port is fixed.",
            "credit": "custom",
            "credit_text": "Dan K. of Research Lab",
        },
    )
    assert response.status_code == 200, response.content
    return Report.objects.get()


def test_it_coordinates_a_resolver_flaw_from_report_to_advisory(smtp_server: Any) -> None:
    vendors = [factories.vendor(name) for name in ("Alpha DNS", "Beta Labs", "Gamma Soft")]
    alpha, beta, gamma = vendors
    coordinator = staff()
    web = login_verified(Client(), coordinator)

    report = _report_flaw(Client())
    case = reports.open_case_from_report(report, by=coordinator)
    assert case.status == CaseStatus.TRIAGED
    assert case.reference.startswith("DNSCERT-VU-")

    # Adding the product proposes the three vendors shipping it; one click adds them.
    web.post(f"/vulns/{case.reference}/products/", {"name": "Resolvd", "versions": "< 9.5.1"})
    page = web.get(case.get_absolute_url()).content.decode()
    for org in vendors:
        assert f'data-proposed="{org.short_name}"' in page
    product = case.products.get()
    web.post(f"/vulns/{case.reference}/products/{product.pk}/add-vendors/")
    assert case.vendors.count() == 3

    # Notify all: signed e-mails carrying the reference, sent through real SMTP.
    start = timezone.now()
    web.post(f"/vulns/{case.reference}/vendors/notify-all/")
    run_pending(["delivery.send"])
    received = [m for m in smtp_server.wait_for(4) if m["X-DNSCERT-Ref"] == case.reference]
    assert {m["To"] for m in received} == {factories.contact_email(o) for o in vendors}
    for mail in received:
        assert f"[{case.reference}]" in mail["Subject"]
        assert "TLP:AMBER+STRICT" in mail["Subject"]
        assert mail["X-DNSCERT-Ref"] == case.reference
        assert mail.get_content_type() == "multipart/signed"

    # Two vendors acknowledge by e-mail reply, through the intake.
    receive_email(_reply(alpha, case, "ACK"))
    receive_email(_reply(beta, case, "Acknowledged, thanks."))
    states = dict(case.vendors.values_list("organisation__name", "status"))
    assert states == {
        "Alpha DNS": VendorStatus.ACKNOWLEDGED,
        "Beta Labs": VendorStatus.ACKNOWLEDGED,
        "Gamma Soft": VendorStatus.NOTIFIED,
    }
    assert case.messages.filter(via="email").count() == 2

    # A private message to Alpha is invisible to Beta (and to Gamma).
    alpha_row = case.vendors.get(organisation=alpha)
    web.post(
        f"/vulns/{case.reference}/messages/",
        {
            "body": "Alpha only: your patch breaks DNSSEC",
            "audience": "vendor",
            "vendor": alpha_row.pk,
        },
    )
    alpha_user, beta_user, gamma_user = (member(org) for org in vendors)
    assert (
        "Alpha only"
        in login_verified(Client(), alpha_user).get(case.get_absolute_url()).content.decode()
    )
    for other in (beta_user, gamma_user):
        page = login_verified(Client(), other).get(case.get_absolute_url()).content.decode()
        assert case.reference in page and "Alpha only" not in page

    # Embargo in 20 days; after the 14-day deadline Gamma is flagged silent, not "not affected".
    web.post(
        f"/vulns/{case.reference}/embargo/",
        {"embargo_at": (start + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"), "time_zone": "UTC"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.EMBARGOED
    enqueue("vulns.embargo_tick", now=(start + timedelta(days=15)).isoformat())
    run_pending(["vulns.embargo_tick"])
    gamma_row = CaseVendor.objects.get(case=case, organisation=gamma)
    assert gamma_row.silence_flagged_at is not None
    assert gamma_row.status == VendorStatus.NOTIFIED
    assert gamma_row.is_silent_at(start + timedelta(days=15))

    # Alpha fixes, Beta is not affected: statements through the vendor portal.
    a = login_verified(Client(), alpha_user)
    a.post(
        f"/vulns/{case.reference}/vendors/{alpha_row.pk}/status/",
        {"status": "fixed", "statement": "Fixed in 9.5.1 (source port randomisation)."},
    )
    beta_row = case.vendors.get(organisation=beta)
    login_verified(Client(), beta_user).post(
        f"/vulns/{case.reference}/vendors/{beta_row.pk}/status/",
        {"status": "not_affected", "statement": "Beta randomises ports since 2003."},
    )

    # The embargo passes: the job publishes and the draft advisory carries each status.
    enqueue("vulns.embargo_tick", now=(start + timedelta(days=21)).isoformat())
    run_pending(["vulns.embargo_tick"])
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED
    advisory = case.advisory
    assert advisory is not None and advisory.csaf_category == "csaf_security_advisory"
    table = {row.vendor.name: (row.status, row.statement) for row in advisory.affected.all()}
    assert table["Alpha DNS"] == ("fixed", "Fixed in 9.5.1 (source port randomisation).")
    assert table["Beta Labs"] == ("known_not_affected", "Beta randomises ports since 2003.")
    assert table["Gamma Soft"][0] == "under_investigation"
    assert "has not answered" in table["Gamma Soft"][1]
    assert advisory.credits == [
        {"name": "Dan K. of Research Lab", "summary": "reported the vulnerability"}
    ]
