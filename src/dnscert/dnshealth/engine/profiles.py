"""Profiles: which test cases a run executes (declared here, in code).

- ``full``: every registered test case (Zonemaster's complete test plan).
- ``default``: the monitoring profile used by continuous monitoring and the throughput bench.
  It is ``full`` without the test cases in ``MONITORING_EXCLUDED``: probes of name-server
  *software* conformance and of zone *content* that cost many queries per zone, whose outcome
  does not change from one monitoring round to the next, and that no fault of the monitoring
  catalogue (lame delegation, glue mismatch, serial drift, RRSIG expired/expiring, DS without
  DNSKEY, open AXFR, recursion offered, EDNS support, TCP refused) relies on. Run ``full`` for
  an audit of a zone; run ``default`` to watch it.
- ``quick``: reachability, SOA consistency and delegation basics (``QUICK``).
"""

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

#: Test cases ``full`` runs and the monitoring ``default`` leaves out, with the reason.
#: Queries per zone are measured on the NSD test bed (two name servers, IPv4 + IPv6 each).
MONITORING_EXCLUDED: dict[str, str] = {
    # Server-software conformance probes (~40 queries per zone together). EDNS support itself
    # stays in default through NAMESERVER02 (the "EDNS violations" fault).
    "NAMESERVER05": "AAAA-query behaviour of the server software (8 queries per zone)",
    "NAMESERVER08": "QNAME case insensitivity of the server software (4 queries per zone)",
    "NAMESERVER09": "QNAME case preservation of the server software (8 queries per zone)",
    "NAMESERVER10": "answer to an unknown EDNS version (4 queries per zone)",
    "NAMESERVER11": "answer to unknown EDNS options (8 queries per zone)",
    "NAMESERVER12": "answer to unknown EDNS flags (4 queries per zone)",
    "NAMESERVER13": "truncated answers carrying OPT (4 queries per zone)",
    # Automated DS maintenance (RFC 7344/8078): CDS/CDNSKEY signalling, not zone health.
    "DNSSEC15": "CDS/CDNSKEY presence and consistency (4 queries per zone)",
    "DNSSEC16": "CDS validity (shares DNSSEC15's queries)",
    "DNSSEC17": "CDNSKEY validity (4 queries per zone)",
    "DNSSEC18": "CDS/CDNSKEY against DS (shares DNSSEC15/17's queries)",
    # Mail-related zone content: lookups of mail domains outside the zone.
    "SYNTAX06": "RNAME mail domain deliverability (3-4 lookups per zone, often foreign)",
    "SYNTAX08": "MX target name syntax (1 query per zone)",
    "ZONE09": "MX presence and targets (3 queries per zone)",
    "ZONE11": "SPF policy syntax (4 queries per zone)",
}

PROFILES = ("default", "full", "quick")


class UnknownProfile(ValueError):
    """The profile name is not one of ``PROFILES``."""


def test_cases_for(profile: str) -> list[type[registry.TestCase]]:
    """The registered test cases of ``profile`` in run order (unknown ids are skipped)."""
    if profile == "full":
        return registry.all_test_cases()
    if profile == "default":
        return [case for case in registry.all_test_cases() if case.id not in MONITORING_EXCLUDED]
    if profile == "quick":
        return [case for case in registry.all_test_cases() if case.id in QUICK]
    raise UnknownProfile(f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}")


test_cases_for.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
