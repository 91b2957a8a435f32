"""The control room in Chromium: a staff analyst starts an exercise, the periodic job sends
the first inject, a participant answers it on the portal, and the answer appears in the
control room with the participant's time to respond; the after-action chart draws it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from dnscert.exercises.models import InjectDelivery
from tests.browser.signin import sign_in_with_totp
from tests.exercises import factories
from tests.personas import PASSWORD, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_member(page: Page, base_url: str, user: Any) -> None:
    """A constituent member signs in with a password (members have no second factor)."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).last.click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_it_exercise_control_room(
    live_server: Any, page: Page, browser: Browser, settings: Any, tmp_path: Any
) -> None:
    settings.DNSCERT_GNUPG_HOME = str(tmp_path / "gnupg")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cast = factories.cast()
    totp_device(cast.control)
    reference = cast.exercise.reference

    sign_in_with_totp(page, live_server.url, cast.control)
    page.locator(".site-nav").get_by_role("link", name="Exercises").click()
    page.get_by_role("link", name=reference).click()
    expect(page).to_have_url(re.compile(rf"/exercises/{reference}/control/$"))
    expect(page.locator("#exercise-status")).to_have_attribute("data-status", "planned")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#exercise-status")).to_have_attribute("data-status", "running")

    call_command("exercise", "tick")  # what the every-minute job does
    page.reload()
    first = page.locator(f'#timeline [data-inject="{cast.first.pk}"]')
    expect(first).to_have_attribute("data-state", "delivered")
    expect(page.locator(f'#timeline [data-inject="{cast.second.pk}"]')).to_have_attribute(
        "data-state", "pending"
    )
    expect(first.locator('tr[data-organisation="Registre XA"]')).to_contain_text("No answer yet.")

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    player = context.new_page()
    sign_in_member(player, live_server.url, cast.xa_member)
    player.goto(f"{live_server.url}/exercises/mine/")
    player.get_by_role("link", name=reference).click()
    expect(player).to_have_url(re.compile(rf"/exercises/{reference}/play/$"))
    card = player.locator(f"#inject-{cast.first.pk}")
    expect(card).to_contain_text("The NS set of xa. changed. Was this planned?")
    expect(player.locator(".inject")).to_have_count(1)
    card.locator("textarea[name=body]").fill("Not planned: we froze the domain at the registrar.")
    card.get_by_role("button", name="Send answer").click()
    expect(player.locator(f"#inject-{cast.first.pk} .answer")).to_contain_text("we froze")
    context.close()

    page.reload()
    row = page.locator(
        f'#timeline [data-inject="{cast.first.pk}"] tr[data-organisation="Registre XA"]'
    )
    expect(row).to_contain_text("Not planned: we froze the domain at the registrar.")
    expect(row).not_to_contain_text("No answer yet.")
    delivery = InjectDelivery.objects.get(inject=cast.first, participant__organisation=cast.xa)
    assert delivery.first_response_at is not None
    xb_row = page.locator(
        f'#timeline [data-inject="{cast.first.pk}"] tr[data-organisation="XB Registry"]'
    )
    expect(xb_row).to_contain_text("No answer yet.")

    page.get_by_role("link", name="After-action report").click()
    expect(page.locator("canvas[data-exercise-chart]")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#report-participants")).to_contain_text("Registre XA")
