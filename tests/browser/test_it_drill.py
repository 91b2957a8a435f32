"""A staff analyst prepares and launches a reachability drill in Chromium; the registry's
24x7 contact opens the link from the e-mail (nothing is recorded by opening it), confirms,
and the analyst sees the answer arrive in the live table and in the figures and chart."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from dnscert.directory.drills.models import Drill, Probe
from tests.browser.signin import sign_in_with_totp
from tests.drills import factories
from tests.personas import staff, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOC = "noc@nic.xa.example"
SHOT = "/tmp/dnscert-drill.png"


def test_it_drill(live_server: Any, page: Page, browser: Browser) -> None:
    analyst = staff(first_name="Ana", last_name="Analyst")
    totp_device(analyst)
    registry = factories.registry("xa", languages=["fr", "en"])
    factories.registry("xb")

    sign_in_with_totp(page, live_server.url, analyst)
    page.locator(".site-nav").get_by_role("link", name="Drills").click()
    expect(page).to_have_url(re.compile(r"/drills/$"))
    page.get_by_role("link", name="New drill").click()
    page.fill("input[name=title]", "Night-time 24x7 drill")
    page.select_option("select[name=organisations]", [str(registry.pk)])
    page.fill("input[name=response_minutes]", "60")
    page.get_by_role("button", name="Prepare drill").click()
    expect(page).to_have_url(re.compile(r"/drills/\d+/$"))
    expect(page.locator("#targets")).to_contain_text("1 contact will be probed")
    expect(page.locator("#targets")).to_contain_text(NOC)

    page.get_by_role("button", name="Launch drill").click()
    expect(page.locator('#drill-facts dd[data-status="running"]')).to_be_visible()
    row = page.locator(f'#probes tr[data-email="{NOC}"]')
    expect(row).to_have_attribute("data-outcome", "pending")
    drill = Drill.objects.get()
    probe = Probe.objects.get(drill=drill)
    assert probe.language == "fr" and probe.message is not None
    assert probe.message.subject.startswith("[EXERCICE]")

    contact = browser.new_context(locale="fr-FR").new_page()
    contact.goto(f"{live_server.url}/drills/respond/{probe.token}/")
    confirm = contact.get_by_role("button", name="Confirmer la réception")
    expect(confirm).to_be_visible()
    probe.refresh_from_db()
    assert probe.responded_at is None
    confirm.click()
    expect(contact.locator(".ack-done")).to_contain_text("votre réponse a été enregistrée")

    expect(row).to_have_attribute("data-outcome", "in_time", timeout=25_000)
    expect(page.locator('[data-figure="response-rate"]')).to_have_text("100 %")
    page.reload()
    expect(page.locator('canvas[data-drill-chart="histogram"]')).to_have_attribute(
        "data-drawn", "true"
    )
    page.screenshot(path=SHOT, full_page=True)
    probe.refresh_from_db()
    assert probe.outcome == "in_time" and probe.responded_via == "link"
    assert probe.contact is not None
    probe.contact.refresh_from_db()
    assert probe.contact.last_verified is not None
