"""The monitoring ``default`` profile: smaller than ``full``, never blind to a catalogued fault."""

from __future__ import annotations

import pytest

from dnscert.dnshealth.engine import profiles, registry
from dnscert.dnshealth.engine.runner import select_test_cases
from dnscert.dnshealth.testbed.faults import CATALOGUE, UNSIGNED_ZONE_TAGS

DNSSEC_BASICS = {"DNSSEC01", "DNSSEC02", "DNSSEC07", "DNSSEC10"}


def _ids(profile: str) -> list[str]:
    return [case.id for case in select_test_cases(None, profile)]


def test_it_runs_every_registered_test_case_in_the_full_profile() -> None:
    assert _ids("full") == [case.id for case in registry.all_test_cases()]


def test_it_leaves_exactly_the_documented_test_cases_out_of_default() -> None:
    full, default = _ids("full"), _ids("default")
    assert set(full) - set(default) == set(profiles.MONITORING_EXCLUDED)
    assert default == [test_id for test_id in full if test_id in default]  # run order kept
    assert all(reason.strip() for reason in profiles.MONITORING_EXCLUDED.values())


def test_it_keeps_every_check_the_fault_catalogue_relies_on_in_default() -> None:
    declared = {tag for case in select_test_cases(None, "default") for tag in case.tags}
    for fault in CATALOGUE.values():
        assert set(fault.expected_tags) <= declared, fault.name
    assert declared >= UNSIGNED_ZONE_TAGS
    assert set(_ids("default")) >= DNSSEC_BASICS


def test_it_excludes_only_registered_test_cases() -> None:
    for test_id in profiles.MONITORING_EXCLUDED:
        assert registry.get(test_id).id == test_id


def test_it_still_runs_an_excluded_test_case_named_explicitly() -> None:
    assert _ids("quick") and set(_ids("quick")) <= set(_ids("default"))
    assert [case.id for case in select_test_cases(["NAMESERVER09"], "default")] == ["NAMESERVER09"]


def test_it_names_the_profiles_when_one_is_unknown() -> None:
    with pytest.raises(profiles.UnknownProfile, match="default, full, quick"):
        select_test_cases(None, "monitoring")
