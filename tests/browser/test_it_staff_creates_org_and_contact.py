"""A staff analyst signs in with password and TOTP, then adds an organisation and a contact.

Everything goes through the real pages in a real Chromium: the login form, the MFA form,
the staff home, and the directory's create forms and lists.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dnscert.directory.models import Contact, Organisation
from tests.browser.signin import sign_in_with_totp
from tests.personas import staff, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/dnscert-staff-home.png"


def test_it_staff_creates_org_and_contact(live_server: Any, page: Page) -> None:
    analyst = staff(first_name="Ana", last_name="Analyst")
    totp_device(analyst)

    sign_in_with_totp(page, live_server.url, analyst)
    expect(page.get_by_role("heading", name="Home", exact=True)).to_be_visible()
    expect(page.locator(".site-nav")).to_contain_text("Audit log")

    page.locator(".site-nav").get_by_role("link", name="Organisations").click()
    expect(page).to_have_url(re.compile(r"/directory/$"))
    page.get_by_role("link", name="Add an organisation").click()
    page.fill("input[name=name]", "Registry of Example")
    page.fill("input[name=short_name]", "example-registry")
    page.select_option("select[name=kind]", "cctld_registry")
    page.fill("input[name=country]", "FR")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/directory/organisations/example-registry/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Registry of Example")

    page.get_by_role("link", name="Add a contact").click()
    page.fill("input[name=name]", "Night Duty Desk")
    page.fill("input[name=email]", "Duty@Example-Registry.test")
    page.fill("input[name=phone]", "+33123456789")
    page.check("input[name=is_24x7]")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/directory/organisations/example-registry/$"))
    expect(page.locator("main")).to_contain_text("Night Duty Desk")

    page.locator(".site-nav").get_by_role("link", name="Organisations").click()
    row = page.locator("table tbody tr", has_text="Registry of Example")
    expect(row).to_contain_text("ccTLD registry")
    page.locator(".site-nav").get_by_role("link", name="Contacts").click()
    row = page.locator("table tbody tr", has_text="Night Duty Desk")
    expect(row).to_contain_text("duty@example-registry.test")

    organisation = Organisation.objects.get(short_name="example-registry")
    contact = Contact.objects.get(organisation=organisation)
    assert (contact.email, contact.is_24x7) == ("duty@example-registry.test", True)

    page.locator(".site-nav").get_by_role("link", name="Home").click()
    expect(page.locator(".card", has_text="organisations in the directory")).to_contain_text("1")
    page.screenshot(path=SCREENSHOT, full_page=True)
