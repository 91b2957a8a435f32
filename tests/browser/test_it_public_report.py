"""A visitor reports an incident through the public form in Chromium and sees the reference;
the report is stored with its attachment and the acknowledgement goes out."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from dnscert.core.jobs import run_pending
from dnscert.incidents.intake.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT = "/tmp/dnscert-public-report.png"


@pytest.fixture
def short_gnupg_home(settings: Any, tmp_path: Path) -> Iterator[None]:
    """The platform keyring (which signs the acknowledgement) in a short, throwaway path."""
    home = Path(tempfile.mkdtemp(prefix="dnscert-brw-", dir="/tmp"))
    settings.DNSCERT_GNUPG_HOME = str(home)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    try:
        yield
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_it_public_report_gives_the_visitor_a_reference(
    live_server: Any, page: Page, short_gnupg_home: None, tmp_path: Path
) -> None:
    evidence = tmp_path / "domains.txt"
    evidence.write_text("bank-xb-login.xa\nbank-xb-secure.xa\n")

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Report an incident").first.click()
    expect(page).to_have_url(re.compile(r"/report/$"))
    page.get_by_label("Your name").fill("Alice Reporter")
    page.get_by_label("Your e-mail").fill("alice@example.net")
    page.get_by_label("Subject").fill("Look-alike domains of bank.xb")
    page.get_by_label("What happened?").fill("Forty look-alike domains registered since Monday.")
    page.get_by_label("Attachments").set_input_files(str(evidence))
    page.get_by_role("button", name="Send the report").click()

    expect(page).to_have_url(re.compile(r"/report/thanks/$"))
    reference = page.locator('[data-test="reference"]')
    expect(reference).to_have_text(re.compile(r"^R-\d{4}-\d{6}$"))
    page.screenshot(path=SHOT, full_page=True)

    report = Report.objects.get(reference=reference.inner_text())
    assert report.subject == "Look-alike domains of bank.xb"
    assert report.attachments.get().filename == "domains.txt"
    run_pending()
    report.refresh_from_db()
    assert report.acknowledged_at is not None
    sent = [message.message().as_bytes() for message in mail.outbox]
    assert any(report.reference.encode() in raw and b"alice@example.net" in raw for raw in sent)
