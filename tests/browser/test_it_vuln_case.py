"""A staff analyst opens a vulnerability case, adds the affected product, adds the vendors
proposed from it in one click, notifies them and sets the embargo, shown in the analyst's
own time zone with UTC alongside: all through the real pages in Chromium.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dnscert.vulns.models import Case
from tests.browser.signin import sign_in_with_totp
from tests.personas import staff, totp_device
from tests.vulns import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_vuln_case(live_server: Any, page: Page, settings: Any, tmp_path: Any) -> None:
    settings.DNSCERT_GNUPG_HOME = str(tmp_path / "gnupg")
    analyst = staff(first_name="Ana", last_name="Analyst", time_zone="Europe/Paris")
    totp_device(analyst)
    vendors = [factories.vendor(name) for name in ("Alpha DNS", "Beta Labs", "Gamma Soft")]

    sign_in_with_totp(page, live_server.url, analyst)
    page.locator(".site-nav").get_by_role("link", name="Vulnerabilities").click()
    expect(page).to_have_url(re.compile(r"/vulns/$"))
    page.get_by_role("link", name="New case").click()
    page.fill("input[name=title]", "Cache poisoning by source port prediction")
    page.fill("input[name=cvss3_vector]", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N")
    page.get_by_role("button", name="Open case").click()
    expect(page).to_have_url(re.compile(r"/vulns/DNSCERT-VU-\d{4}-0001/$"))

    form = page.locator("#add-product")
    form.locator("input[name=name]").fill("Resolvd")
    form.get_by_role("button", name="Add product").click()
    for org in vendors:
        expect(page.locator(f'[data-proposed="{org.short_name}"]')).to_be_visible()
    page.get_by_role("button", name="Add these vendors").click()
    for org in vendors:
        expect(page.locator(f'#vendor-table [data-vendor="{org.short_name}"]')).to_contain_text(
            "Not contacted"
        )

    page.get_by_role("button", name="Notify every vendor not contacted").click()
    for org in vendors:
        expect(page.locator(f'#vendor-table [data-vendor="{org.short_name}"]')).to_contain_text(
            "Notified"
        )

    moment = (timezone.now() + timedelta(days=5)).replace(hour=12, minute=0, second=0)
    embargo = page.locator("#set-embargo")
    embargo.locator("input[name=embargo_at]").fill(moment.strftime("%Y-%m-%dT%H:%M"))
    embargo.locator("input[name=time_zone]").fill("UTC")
    embargo.get_by_role("button", name="Set embargo").click()
    expect(page.locator("[data-test=embargo]")).to_contain_text(f"{moment:%Y-%m-%d} 1")
    expect(page.locator("[data-test=embargo]")).to_contain_text(f"UTC {moment:%Y-%m-%d} 12:00")

    case = Case.objects.get()
    assert case.status == "embargoed" and case.vendors.filter(status="notified").count() == 3
