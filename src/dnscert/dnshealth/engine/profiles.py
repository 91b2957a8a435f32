"""Profiles: which test cases a run executes (declared here, in code)."""

from __future__ import annotations

from dnscert.dnshealth.engine import registry

#: Reachability, SOA consistency and delegation basics: cheap enough for frequent rounds.
QUICK = [
    "BASIC01",
    "BASIC02",
    "CONNECTIVITY01",
    "CONNECTIVITY02",
    "CONSISTENCY01",
    "CONSISTENCY05",
    "DELEGATION01",
    "NAMESERVER01",
]

PROFILES = ("default", "quick")


class UnknownProfile(ValueError):
    """The profile name is not one of ``PROFILES``."""


def test_cases_for(profile: str) -> list[type[registry.TestCase]]:
    """The registered test cases of ``profile`` in run order (unknown ids are skipped)."""
    if profile == "default":
        return registry.all_test_cases()
    if profile == "quick":
        return [case for case in registry.all_test_cases() if case.id in QUICK]
    raise UnknownProfile(f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}")


test_cases_for.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
