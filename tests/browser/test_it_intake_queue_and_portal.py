"""From the intake queue to the constituent's view, in Chromium.

Staff find an e-mailed report in the intake queue, open an incident from it and add the
registry as participant; a member of that registry then signs in and finds the incident in
the portal, with the team's update but without the internal TLP:RED note.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dnscert.core.choices import TLP
from dnscert.incidents import services
from dnscert.incidents.intake.services import receive_email
from dnscert.incidents.models import Incident
from tests.browser.signin import sign_in_with_totp
from tests.incidents import factories
from tests.incidents.intake.conftest import mail
from tests.personas import PASSWORD, member, staff, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_intake_queue_and_portal(live_server: Any, page: Page) -> None:
    analyst = staff(first_name="Ana", last_name="Analyst")
    totp_device(analyst)
    registry = factories.registry("xa")
    registry_member = member(registry, username="noc-xa")
    report = receive_email(mail(subject="Delegation of shop.xa hijacked"))

    sign_in_with_totp(page, live_server.url, analyst)
    page.locator(".site-nav").get_by_role("link", name="Intake").click()
    expect(page).to_have_url(re.compile(r"/intake/$"))
    row = page.locator(f'tr[data-report="{report.reference}"]')
    expect(row).to_contain_text("Delegation of shop.xa hijacked")
    row.get_by_role("link", name=report.reference).click()

    form = page.locator("#create-incident")
    form.locator("input[name=title]").fill("Hijack of shop.xa")
    form.locator("select[name=category]").select_option("delegation-hijack")
    form.locator("select[name=severity]").select_option("medium")
    form.locator("select[name=tlp]").select_option("AMBER")
    form.get_by_role("button", name="Open an incident").click()
    incident = Incident.objects.get()
    expect(page.locator("body")).to_contain_text(incident.reference)

    page.goto(f"{live_server.url}/incidents/{incident.reference}/")
    expect(page.locator("#intake-reports")).to_contain_text(report.reference)
    services.add_participant(incident, registry, by=analyst, notify=False)
    services.add_journal_entry(incident, text="Registrar lock requested.", tlp=TLP.AMBER)
    services.add_journal_entry(incident, text="Internal: suspect insider.", tlp=TLP.RED)

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", registry_member.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).last.click()
    page.goto(f"{live_server.url}/incidents/portal/")
    portal_row = page.locator("#portal-incidents")
    expect(portal_row).to_contain_text(incident.reference)
    portal_row.get_by_role("link", name=re.compile(incident.reference)).first.click()
    expect(page.locator("#journal")).to_contain_text("Registrar lock requested.")
    expect(page.locator("#journal")).not_to_contain_text("suspect insider")
