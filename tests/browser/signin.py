"""Signing in through the real pages in a browser: password, then the TOTP code."""

from __future__ import annotations

import re
from typing import Any

from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from tests.personas import PASSWORD, totp_device


def current_totp_code(user: Any) -> str:
    """The code the user's authenticator app would show right now."""
    device = totp_device(user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


def sign_in_with_totp(page: Page, base_url: str, user: Any) -> None:
    """Sign ``user`` in on the login page, pass the MFA page and land on the home page."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).last.click()
    expect(page).to_have_url(re.compile(r"/accounts/mfa/verify/"))
    page.fill("input[name=code]", current_totp_code(user))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/home/$"))
