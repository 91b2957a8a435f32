"""In Chromium: a staff analyst opens the KPI page and its charts draw; a participant
contact answers the survey with the browser, without signing in."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dnscert.insight import feedback
from dnscert.insight.models import FeedbackAnswer, FeedbackRequest
from tests.browser.conftest import browser, page  # noqa: F401  (fixtures)
from tests.browser.signin import sign_in_with_totp
from tests.insight.conftest import close, make_story
from tests.personas import totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KPI_SHOT = "/tmp/dnscert-insight-kpis.png"
REPORT_SHOT = "/tmp/dnscert-insight-report.png"


def test_it_draws_the_kpi_charts_and_takes_a_survey_answer(live_server: Any, page: Page) -> None:  # noqa: F811
    story = make_story()
    close(story)  # commits here: the closure job has already sent the surveys
    feedback.request_feedback(story.incident)
    raw = "b" * 43
    request = FeedbackRequest.objects.filter(participant__incident=story.incident).first()
    assert request is not None
    FeedbackRequest.objects.filter(pk=request.pk).update(
        token_digest=FeedbackRequest.digest_of(raw)
    )

    page.goto(f"{live_server.url}/insight/feedback/{raw}/")
    page.locator("input[name=useful][value='4']").check()
    page.locator("input[name=timely][value='5']").check()
    page.fill("textarea[name=comment]", "Clear and quick")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("h1")).to_have_text("Thank you")
    assert FeedbackAnswer.objects.get().comment == "Clear and quick"

    totp_device(story.analyst)
    sign_in_with_totp(page, live_server.url, story.analyst)
    page.get_by_role("link", name="Reports").click()
    page.goto(f"{live_server.url}/insight/?start=2026-01-01&end=2026-12-31")
    for chart in ("severity", "category", "acknowledge", "resolve", "feedback"):
        expect(page.locator(f"canvas[data-kpi-chart={chart}]")).to_have_attribute(
            "data-drawn", "true"
        )
    expect(page.locator("#feedback-scores")).to_contain_text("1 answer(s)")
    page.screenshot(path=KPI_SHOT, full_page=True)

    page.goto(f"{live_server.url}/insight/reports/{story.incident.reference}/")
    expect(page.locator("#participants")).to_contain_text("2 h 05 min")
    expect(page.locator("#feedback")).to_contain_text("Clear and quick")
    page.screenshot(path=REPORT_SHOT, full_page=True)
