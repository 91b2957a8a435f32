"""References are numbered per series and year, independently of each other."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import transaction

from dnscert.core.models import ReferenceCounter
from dnscert.core.references import allocate, format_reference

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 1, tzinfo=UTC)


def test_it_numbers_each_series_and_year_on_its_own() -> None:
    assert allocate("DNSCERT", at=AT) == "DNSCERT-2026-0001"
    assert allocate("DNSCERT", at=AT) == "DNSCERT-2026-0002"
    assert allocate("DNSCERT-SA", at=AT) == "DNSCERT-SA-2026-0001"
    assert allocate("R", width=6, at=AT) == "R-2026-000001"
    assert allocate("DNSCERT", at=AT.replace(year=2027)) == "DNSCERT-2027-0001"
    assert ReferenceCounter.objects.get(series="DNSCERT", year=2026).last == 2


def test_it_gives_the_number_back_when_the_transaction_rolls_back() -> None:
    allocate("DNSCERT-VU", at=AT)
    with pytest.raises(RuntimeError), transaction.atomic():
        allocate("DNSCERT-VU", at=AT)
        raise RuntimeError("the case was not created after all")
    assert allocate("DNSCERT-VU", at=AT) == "DNSCERT-VU-2026-0002"


def test_it_widens_past_the_padding_instead_of_wrapping() -> None:
    assert format_reference("DNSCERT", 2026, 12345) == "DNSCERT-2026-12345"
