"""A staff analyst drafts an advisory, a second analyst approves and publishes it, and the
public advisories page shows it: through the real pages in Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from dnscert.advisories.models import Advisory
from tests.browser.signin import sign_in_with_totp
from tests.personas import staff, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Close open resolvers before the holiday season"


@pytest.fixture
def keyring(settings: Any) -> Iterator[str]:
    """A throwaway platform keyring: publication signs the CSAF document."""
    home = tempfile.mkdtemp(prefix="dnscert-adv-", dir="/tmp")
    settings.DNSCERT_GNUPG_HOME = home
    yield home
    subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"], check=False)
    shutil.rmtree(home, ignore_errors=True)


def _new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    return context.new_page()


def test_it_advisory(
    live_server: Any, page: Page, browser: Browser, settings: Any, keyring: str
) -> None:
    settings.SITE_URL = live_server.url
    author = staff(first_name="Ada", last_name="Author")
    approver = staff(first_name="Aron", last_name="Approver")
    totp_device(author)
    totp_device(approver)

    sign_in_with_totp(page, live_server.url, author)
    page.locator(".site-nav").get_by_role("link", name="Advisory console").click()
    expect(page).to_have_url(re.compile(r"/advisories/console/$"))
    page.get_by_role("link", name="New advisory").click()
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=summary]", "Open resolvers are abused for amplification attacks.")
    page.fill("textarea[name=recommendations]", "Restrict recursion to your customers.")
    page.select_option("select[name=severity]", "medium")
    page.select_option("select[name=tlp]", "CLEAR")
    page.select_option("select[name=csaf_category]", "csaf_informational_advisory")
    page.fill("textarea[name=references]", "https://example.org/open-resolvers | Background")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/advisories/console/DNSCERT-SA-\d{4}-0001/$"))
    expect(page.locator("#status")).to_have_text("Draft")
    expect(page.locator("#csaf-valid")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#status")).to_have_text("In review")
    expect(page.get_by_role("button", name="Approve and publish")).to_be_disabled()

    reviewer = _new_page(browser)
    sign_in_with_totp(reviewer, live_server.url, approver)
    reviewer.goto(f"{live_server.url}/advisories/console/")
    reviewer.get_by_role("link", name=re.compile(r"DNSCERT-SA-\d{4}-0001")).click()
    reviewer.fill("input[name=revision_summary]", "First release.")
    reviewer.get_by_role("button", name="Approve and publish").click()
    expect(reviewer.locator("#status")).to_have_text("Published")
    expect(reviewer.locator("#revisions")).to_contain_text("First release.")

    public = _new_page(browser)
    public.goto(f"{live_server.url}/")
    public.locator(".site-nav").get_by_role("link", name="Advisories").click()
    expect(public).to_have_url(re.compile(r"/advisories/$"))
    public.get_by_role("link", name=re.compile(r"DNSCERT-SA-\d{4}-0001")).click()
    expect(public.locator("h1")).to_contain_text(TITLE)

    advisory = Advisory.objects.get()
    assert advisory.author == author and advisory.approver == approver
    assert advisory.current_release == 1
