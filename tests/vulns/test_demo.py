"""``dnscert demo-vulns`` builds one embargoed case once, from the demo directory's vendors."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from dnscert.vulns.choices import CaseStatus
from dnscert.vulns.models import Case

pytestmark = pytest.mark.django_db


def test_it_needs_the_demo_directory() -> None:
    with pytest.raises(CommandError, match="demo-directory"):
        call_command("demo-vulns")


def test_it_creates_the_demo_case_once() -> None:
    call_command("demo-directory", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo-vulns", stdout=out)
    assert "DNSCERT-VU-" in out.getvalue()
    case = Case.objects.get()
    assert case.status == CaseStatus.EMBARGOED and case.embargo_at is not None
    assert {v.organisation.short_name for v in case.vendors.all()} == {
        "vendor-resolvd",
        "vendor-bothdns",
    }
    assert case.participants.get().credit_line == "A. Researcher (DNS Lab)"
    call_command("demo-vulns", stdout=(again := io.StringIO()))
    assert "already" in again.getvalue() and Case.objects.count() == 1
