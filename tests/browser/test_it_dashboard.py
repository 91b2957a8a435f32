"""A staff analyst opens the DNS health dashboard in Chromium, sees the broken zone in red,
follows it to its messages and charts, and sees its delegation change with the diff.

The measurements are written into the database directly (the acceptance test of the
scheduler covers the real measurement path); everything else is the real pages, the real
sign-in with TOTP and the app's own Chart.js.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dnscert.directory.choices import OrganisationKind
from dnscert.dnshealth import livecheck
from tests.browser.signin import sign_in_with_totp
from tests.dnshealth.engine.conftest import ThreadedNetwork, build_tree, free_port, lab_config
from tests.dnshealth.engine.fakeserver import FakeNetwork
from tests.dnshealth.web.factories import make_bed, target
from tests.personas import make_org, staff, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DASHBOARD_SHOT = "/tmp/dnscert-dns-dashboard.png"
ZONE_SHOT = "/tmp/dnscert-dns-zone.png"


def rgb(text: str) -> tuple[int, ...]:
    """``rgb(179, 38, 30)`` -> (179, 38, 30)."""
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_it_dashboard_leads_from_a_red_zone_to_its_messages_and_delegation_change(
    live_server: Any, page: Page
) -> None:
    make_bed()
    analyst = staff(first_name="Ana", last_name="Analyst")
    totp_device(analyst)
    sign_in_with_totp(page, live_server.url, analyst)

    page.goto(f"{live_server.url}/dns/")
    tile = page.locator('.zone-grid li[data-zone="bank.xb."] a')
    expect(tile).to_have_class(re.compile(r"status-red"))
    red, green, blue = rgb(tile.evaluate("el => getComputedStyle(el).backgroundColor"))
    assert red > 2 * green and red > 2 * blue
    expect(page.locator(".zone-grid li").first).to_have_attribute("data-zone", "bank.xb.")

    page.screenshot(path=DASHBOARD_SHOT, full_page=True)
    tile.click()
    expect(page).to_have_url(re.compile(r"/dns/zones/bank\.xb\./$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Broken")
    messages = page.locator('details[data-test-case="DNSSEC04"]')
    expect(messages).to_contain_text("DS04_RRSIG_EXPIRED")
    expect(messages.locator(".badge").first).to_have_text("ERROR")
    expect(page.locator('canvas[data-dnshealth-chart="latency-udp"]')).to_have_attribute(
        "data-drawn", "1"
    )

    change = page.locator("#delegation-changes .diff")
    expect(change.locator(".diff-added").first).to_contain_text("ns1.evil.xc.")
    expect(change.locator(".diff-removed").first).to_contain_text("ns1.bank.xb.")
    assert change.locator(".diff-added").first.evaluate("el => getComputedStyle(el).color") != (
        change.locator(".diff-removed").first.evaluate("el => getComputedStyle(el).color")
    )
    expect(page.locator("#delegation-changes")).to_contain_text("High")
    page.screenshot(path=ZONE_SHOT, full_page=True)


def test_it_check_now_button_shows_live_progress(
    live_server: Any, page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    net = FakeNetwork(port)
    build_tree(net)
    monkeypatch.setattr(livecheck, "engine_config", lambda: lab_config(port))
    owner = make_org(OrganisationKind.DNS_OPERATOR, "Good Hosting")
    target(owner, "good.xa.")
    analyst = staff()
    totp_device(analyst)
    sign_in_with_totp(page, live_server.url, analyst)

    with ThreadedNetwork(net):
        page.goto(f"{live_server.url}/dns/zones/good.xa./")
        box = page.locator("[data-check-now]")
        box.get_by_role("button", name="Check now").click()
        expect(box.locator("[data-status]")).to_have_attribute("data-final", re.compile(r"\w+"))
    expect(box.locator("[data-progress] li", has_text="BASIC01")).to_have_count(1)
    assert box.locator("[data-progress] li").count() > 10
    page.reload()
    expect(page.locator("h1 .badge")).not_to_have_text("Not measured yet")
