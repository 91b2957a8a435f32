"""A staff analyst opens the on-call coverage view in Chromium and sees the uncovered hours
highlighted in the heat map and listed as a gap."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dnscert.directory.oncall.models import EscalationPolicy, Rota, Shift
from tests.browser.signin import sign_in_with_totp
from tests.personas import responder, staff, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT = "/tmp/dnscert-oncall-coverage.png"


def rgb(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_it_staff_sees_the_coverage_gap_highlighted(live_server: Any, page: Page) -> None:
    hour = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    gap_start, gap_end = hour + timedelta(days=2, hours=3), hour + timedelta(days=2, hours=6)
    rota = Rota.objects.create(
        name="Follow the sun", policy=EscalationPolicy.objects.create(name="P")
    )
    kenji = responder("kenji", time_zone="Asia/Tokyo")
    Shift.objects.create(rota=rota, responder=kenji, start=hour - timedelta(hours=1), end=gap_start)
    Shift.objects.create(rota=rota, responder=kenji, start=gap_end, end=hour + timedelta(weeks=5))
    analyst = staff(time_zone="UTC")
    totp_device(analyst)
    sign_in_with_totp(page, live_server.url, analyst)

    page.get_by_role("link", name="On-call").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("On-call")
    page.get_by_role("link", name="Coverage").first.click()
    expect(page).to_have_url(re.compile(r"/oncall/coverage/$"))

    gaps = page.locator('#heat-map td[data-state="gap"]')
    expect(gaps).to_have_count(3)
    first = gaps.first
    expect(first).to_have_attribute("data-day", gap_start.date().isoformat())
    expect(first).to_have_attribute("data-hour", str(gap_start.hour))
    red, green, blue = rgb(first.evaluate("el => getComputedStyle(el).backgroundColor"))
    assert red > 2 * green and red > 2 * blue
    ok = page.locator('#heat-map td[data-state="thin"]').first
    assert rgb(ok.evaluate("el => getComputedStyle(el).backgroundColor")) != (red, green, blue)

    expect(page.locator("#coverage-summary")).to_contain_text("1 gap, 3.0 hours uncovered")
    expect(page.locator("#gaps .gap-row")).to_have_count(1)
    expect(page.locator("#gaps .gap-row td").nth(2)).to_have_text("3.00")
    page.screenshot(path=SHOT, full_page=True)
