"""A staff analyst opens an incident, adds an indicator, adds the suggested participant and
moves the incident to triaged: all through the real pages in Chromium, with htmx swaps.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dnscert.incidents.models import Incident
from tests.browser.signin import sign_in_with_totp
from tests.incidents import factories
from tests.personas import staff, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_incident(live_server: Any, page: Page) -> None:
    analyst = staff(first_name="Ana", last_name="Analyst")
    totp_device(analyst)
    registry = factories.registry("xa")

    sign_in_with_totp(page, live_server.url, analyst)
    page.locator(".site-nav").get_by_role("link", name="Incidents").click()
    expect(page).to_have_url(re.compile(r"/incidents/$"))
    page.get_by_role("link", name="New incident").click()
    page.fill("input[name=title]", "Delegation of shop.xa changed")
    page.fill("textarea[name=summary]", "NS records now point to ns1.evil.test.")
    page.select_option("select[name=category]", "delegation-hijack")
    page.select_option("select[name=severity]", "medium")
    page.select_option("select[name=tlp]", "AMBER")
    page.get_by_role("button", name="Open incident").click()
    expect(page).to_have_url(re.compile(r"/incidents/DNSCERT-\d{4}-0001/$"))
    expect(page.locator("#incident-status")).to_have_text("New")

    indicator_form = page.locator("#indicator-form")
    indicator_form.locator("select[name=kind]").select_option("domain")
    indicator_form.locator("input[name=value]").fill("shop.xa")
    indicator_form.get_by_role("button", name="Add indicator").click()
    suggestion = page.locator(f'[data-suggest="{registry.short_name}"]')
    expect(suggestion).to_be_visible()
    expect(page.locator('[data-indicator="shop.xa"]')).to_contain_text("Registry of .xa")

    suggestion.click()
    expect(page.locator(f'[data-participant="{registry.short_name}"]')).to_contain_text("Notified")
    expect(suggestion).to_have_count(0)

    page.locator('button[data-status="triaged"]').click()
    expect(page.locator("#incident-status")).to_have_text("Triaged")
    expect(page.locator("#journal")).to_contain_text("Status: New -> Triaged.")

    incident = Incident.objects.get()
    assert incident.status == "triaged" and incident.acknowledged_at is not None
    assert incident.participants.get().organisation == registry
