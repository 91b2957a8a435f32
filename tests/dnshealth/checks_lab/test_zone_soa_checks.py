"""ZONE02-ZONE08 and ZONE10 judge the SOA and MX the zone's servers give."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dnscert.dnshealth.engine.checks.zone01 import serial_greater

RunCheck = Callable[[str, str], set[str]]


@pytest.mark.parametrize(
    ("test_case", "good", "bad"),
    [
        ("ZONE02", {"REFRESH_MINIMUM_VALUE_OK"}, {"REFRESH_MINIMUM_VALUE_LOWER"}),
        ("ZONE03", {"REFRESH_HIGHER_THAN_RETRY"}, {"REFRESH_LOWER_THAN_RETRY"}),
        ("ZONE04", {"RETRY_MINIMUM_VALUE_OK"}, {"RETRY_MINIMUM_VALUE_OK"}),
        (
            "ZONE05",
            {"EXPIRE_MINIMUM_VALUE_OK"},
            {"EXPIRE_MINIMUM_VALUE_LOWER", "EXPIRE_LOWER_THAN_REFRESH"},
        ),
        ("ZONE06", {"SOA_DEFAULT_TTL_MAXIMUM_VALUE_OK"}, {"SOA_DEFAULT_TTL_MAXIMUM_VALUE_HIGHER"}),
        ("ZONE07", {"MNAME_IS_NOT_CNAME"}, {"MNAME_IS_CNAME"}),
        ("ZONE08", {"MX_RECORD_IS_NOT_CNAME"}, {"MX_RECORD_IS_CNAME"}),
        ("ZONE10", {"ONE_SOA"}, {"ONE_SOA"}),
    ],
)
def test_it_tells_a_good_soa_from_a_bad_one(
    run_check: RunCheck, test_case: str, good: set[str], bad: set[str]
) -> None:
    assert run_check("good.test", test_case) == good
    assert run_check("alias.test", test_case) == bad


def test_it_reports_a_retry_below_one_hour(run_check: RunCheck) -> None:
    assert run_check("spf.test", "ZONE04") == {"RETRY_MINIMUM_VALUE_LOWER"}


def test_it_reports_a_soa_owned_by_another_name(run_check: RunCheck) -> None:
    assert run_check("wrongsoa.test", "ZONE10") == {"WRONG_SOA"}


def test_it_reports_a_zone_nobody_answers_for(run_check: RunCheck) -> None:
    assert run_check("local.test", "ZONE02") == {"NO_RESPONSE_SOA_QUERY"}
    assert run_check("local.test", "ZONE10") == {"NO_RESPONSE"}


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("good.test", {"Z01_MNAME_IS_MASTER"}),
        ("alias.test", {"Z01_MNAME_NOT_IN_NS_LIST", "Z01_MNAME_IS_MASTER"}),
        ("syntax.test", {"Z01_MNAME_NOT_IN_NS_LIST", "Z01_MNAME_NOT_RESOLVE"}),
        ("stale.test", {"Z01_MNAME_NOT_IN_NS_LIST", "Z01_MNAME_NOT_MASTER"}),
    ],
)
def test_it_checks_the_soa_master(run_check: RunCheck, zone: str, expected: set[str]) -> None:
    assert run_check(zone, "ZONE01") == expected


def test_it_compares_serials_with_rfc1982_arithmetic() -> None:
    assert serial_greater(5, 3) and not serial_greater(3, 5)
    assert serial_greater(1, 2**32 - 10)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("good.test", {"Z09_MX_DATA"}),
        ("ptr.test", {"Z09_MISSING_MAIL_TARGET"}),
        ("notaa.test", set()),
        ("nullmx.test", {"Z09_NULL_MX_WITH_OTHER_MX", "Z09_NULL_MX_NON_ZERO_PREF"}),
    ],
)
def test_it_checks_the_mail_targets(run_check: RunCheck, zone: str, expected: set[str]) -> None:
    assert run_check(zone, "ZONE09") == expected
