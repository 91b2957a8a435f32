"""A staff analyst starts a Conficker.B campaign in Chromium, follows it to its registry
lists and coverage chart, then reads the concentration view with its bar chart."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dnscert.intel.patterns import campaigns
from dnscert.intel.patterns.choices import AcknowledgedVia
from dnscert.intel.patterns.models import DgaCampaign
from tests.browser.conftest import browser, page  # noqa: F401  (fixtures)
from tests.browser.signin import sign_in_with_totp
from tests.intel.patterns.conftest import registry
from tests.intel.patterns.test_concentration import campaign_events
from tests.personas import staff, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CAMPAIGN_SHOT = "/tmp/dnscert-dga-campaign.png"
CONCENTRATION_SHOT = "/tmp/dnscert-concentration.png"


def test_it_runs_a_campaign_and_shows_coverage_and_concentration(
    live_server: Any,
    page: Page,  # noqa: F811
) -> None:
    registry("cc")
    registry("com")
    campaign_events()
    analyst = staff()
    totp_device(analyst)
    sign_in_with_totp(page, live_server.url, analyst)

    page.goto(f"{live_server.url}/patterns/dga/new/")
    page.select_option("select[name=family]", "conficker-b")
    page.fill("input[name=start_date]", "2020-01-01")
    page.fill("input[name=end_date]", "2020-01-03")
    page.get_by_role("button", name="Create and generate").click()
    expect(page).to_have_url(re.compile(r"/patterns/dga/\d+/$"))
    campaign = DgaCampaign.objects.get()
    campaign.refresh_from_db()
    cc_list = campaign.lists.get(tld="cc")
    campaigns.report_coverage(
        cc_list, covered=cc_list.domain_count, by=analyst, via=AcknowledgedVia.STAFF
    )
    page.reload()
    expect(page.locator("#registry-lists tbody tr")).to_have_count(2)
    expect(page.locator("#uncovered li")).to_have_count(6)
    chart = page.locator("canvas[data-chart-source=coverage-chart-data]")
    expect(chart).to_be_visible()
    page.screenshot(path=CAMPAIGN_SHOT, full_page=True)

    page.goto(f"{live_server.url}/patterns/concentration/")
    expect(page.locator("#concentration-registrar tbody tr").first).to_contain_text(
        "Alpha Registrar"
    )
    expect(page.locator("canvas[data-chart-source=share-chart-data]")).to_be_visible()
    page.screenshot(path=CONCENTRATION_SHOT, full_page=True)
