"""The engine's own check modules on a healthy zone and on crafted broken zones."""

from __future__ import annotations

import dns.zone
import pytest

from dnscert.dnshealth.engine.model import Level, ZoneReport
from dnscert.dnshealth.engine.runner import check_zone
from tests.dnshealth.engine.conftest import (
    Servers,
    build_tree,
    lab_config,
    make_zone,
    run,
)
from tests.dnshealth.engine.fakeserver import Behaviour, FakeNetwork

BAD_IPS = ["127.201.3.1", "127.201.3.2"]


def _check(
    port: int,
    zone: str,
    tests: list[str],
    child: tuple[Servers, dns.zone.Zone | None, Behaviour | None] | None = None,
    **config: object,
) -> ZoneReport:
    """Check ``zone`` in the standard tree, with ``child`` = (delegation, zone data, conduct)."""

    async def body() -> ZoneReport:
        net = FakeNetwork(port)
        delegations = {zone + ".": child[0]} if child else {}
        build_tree(net, delegations)
        if child is not None:
            servers, data, behaviour = child
            for _name, ip in servers:
                if ip is not None and ip not in net.servers:
                    net.add(ip, [data] if data is not None else [], behaviour)
        async with net:
            return await check_zone(zone, lab_config(port, **config), tests=tests)

    return run(body)


def _bad(zone: str, count: int = 2) -> Servers:
    return [(f"ns{i + 1}.{zone}.", BAD_IPS[i]) for i in range(count)]


def _broken(zone: str, behaviour: Behaviour, count: int = 2, extra: str = "") -> tuple:
    servers = _bad(zone, count)
    return servers, make_zone(zone + ".", servers, extra=extra), behaviour


HEALTHY = {
    "BASIC01": {"B01_PARENT_FOUND", "B01_CHILD_FOUND"},
    "BASIC02": {"B02_AUTH_RESPONSE_SOA"},
    "DELEGATION01": {"ENOUGH_NS_DEL", "ENOUGH_IPV4_NS_DEL", "ENOUGH_NS_CHILD"},
    "DELEGATION03": {"REFERRAL_SIZE_OK"},
    "CONSISTENCY05": {"ADDRESSES_MATCH"},
    "NAMESERVER15": {"N15_NO_VERSION_REVEALED"},
}


@pytest.mark.parametrize("test_case", sorted(HEALTHY))
def test_it_passes_a_healthy_zone(port: int, test_case: str) -> None:
    report = _check(port, "good.xa", [test_case])
    assert HEALTHY[test_case] <= report.tags()
    assert report.worst_level is not None and report.worst_level <= Level.WARNING


def test_it_reports_a_zone_that_is_not_delegated(port: int) -> None:
    tags = _check(port, "absent.xa", ["BASIC01", "BASIC02"]).tags()
    assert {"B01_PARENT_FOUND", "B01_NO_CHILD", "B02_NO_DELEGATION"} <= tags
    assert "B01_CHILD_FOUND" not in tags


def test_it_reports_the_root_zone_has_no_parent(port: int) -> None:
    tags = _check(port, ".", ["BASIC01"]).tags()
    assert tags == {"B01_CHILD_FOUND", "B01_ROOT_HAS_NO_PARENT"}


def test_it_reports_name_servers_that_never_answer(port: int) -> None:
    report = _check(port, "lame.xa", ["BASIC02"], _broken("lame.xa", Behaviour(silent=True)))
    assert {"B02_NO_WORKING_NS", "B02_NS_NO_RESPONSE"} <= report.tags()
    assert report.worst_level is Level.CRITICAL


def test_it_reports_unexpected_rcodes_and_missing_authority(port: int) -> None:
    refused = _check(port, "refused.xa", ["BASIC02"], _broken("refused.xa", Behaviour(refuse=True)))
    assert {"B02_NO_WORKING_NS", "B02_UNEXPECTED_RCODE"} <= refused.tags()
    not_auth = _broken("notauth.xa", Behaviour(not_authoritative=True))
    assert "B02_NS_NOT_AUTH" in _check(port, "notauth.xa", ["BASIC02"], not_auth).tags()


def test_it_reports_a_name_server_without_address(port: int) -> None:
    child = ([("ns.nowhere.xa.", None)], None, None)
    tags = _check(port, "noaddr.xa", ["BASIC02", "NAMESERVER06"], child).tags()
    assert {"B02_NO_WORKING_NS", "B02_NS_NO_IP_ADDR"} <= tags
    assert {"CAN_NOT_BE_RESOLVED", "NO_RESOLUTION"} <= tags


def test_it_reports_too_few_name_servers(port: int) -> None:
    tags = _check(port, "single.xa", ["DELEGATION01"], _broken("single.xa", Behaviour(), 1)).tags()
    assert {"NOT_ENOUGH_NS_DEL", "NOT_ENOUGH_IPV4_NS_DEL", "NO_IPV6_NS_DEL"} <= tags
    assert {"NOT_ENOUGH_NS_CHILD", "NOT_ENOUGH_IPV4_NS_CHILD"} <= tags


def test_it_reports_a_referral_too_large_for_512_octets(port: int) -> None:
    servers: Servers = [
        (f"a-rather-long-name-server-name-number-{i}.elsewhere-{i}.example.", None)
        for i in range(13)
    ]
    child = (servers, None, None)
    tags = _check(port, "wide.xa", ["DELEGATION03"], child).tags()
    assert tags == {"REFERRAL_SIZE_TOO_LARGE"}


def test_it_reports_glue_that_differs_from_the_zone(port: int) -> None:
    servers = _bad("glue.xa", 2)
    zone = make_zone("glue.xa.", [("ns1.glue.xa.", "127.201.3.9"), servers[1]])
    tags = _check(port, "glue.xa", ["CONSISTENCY05"], (servers, zone, None)).tags()
    assert {"IN_BAILIWICK_ADDR_MISMATCH", "EXTRA_ADDRESS_CHILD"} <= tags
    assert "ADDRESSES_MATCH" not in tags


def test_it_reports_a_lame_child_for_consistency05(port: int) -> None:
    child = _broken("lamec.xa", Behaviour(refuse=True))
    tags = _check(port, "lamec.xa", ["CONSISTENCY05"], child).tags()
    assert {"CHILD_ZONE_LAME", "CHILD_NS_FAILED"} <= tags


def test_it_reports_a_revealed_software_version(port: int) -> None:
    child = _broken("version.xa", Behaviour(version="NSD 4.7.0"))
    report = _check(port, "version.xa", ["NAMESERVER15"], child)
    messages = [m for m in report.messages if m.tag == "N15_SOFTWARE_VERSION"]
    assert messages and messages[0].args["string"] == "NSD 4.7.0"
    assert "N15_NO_VERSION_REVEALED" not in report.tags()


NAMESERVER_HEALTHY = {
    "NAMESERVER01": ({"NO_RECURSOR"}, set()),
    "NAMESERVER02": ({"EDNS0_SUPPORT"}, set()),
    "NAMESERVER03": ({"AXFR_FAILURE"}, set()),
    "NAMESERVER05": ({"AAAA_WELL_PROCESSED"}, set()),
    "NAMESERVER10": (set(), {"N10_UNEXPECTED_RCODE", "N10_EDNS_RESPONSE_ERROR"}),
    "NAMESERVER12": (set(), {"Z_FLAGS_NOTCLEAR", "NS_ERROR", "NO_EDNS_SUPPORT"}),
    "NAMESERVER06": ({"CAN_BE_RESOLVED"}, {"CAN_NOT_BE_RESOLVED", "NO_RESOLUTION"}),
    "NAMESERVER08": ({"QNAME_CASE_SENSITIVE"}, {"QNAME_CASE_INSENSITIVE"}),
    "DELEGATION06": ({"SOA_EXISTS"}, {"SOA_NOT_EXISTS"}),
    "NAMESERVER11": (set(), {"N11_RETURNS_UNKNOWN_OPTION_CODE", "N11_NO_RESPONSE"}),
    "NAMESERVER13": (set(), {"MISSING_OPT_IN_TRUNCATED", "NS_ERROR"}),
    "NAMESERVER07": ({"NO_UPWARD_REFERRAL"}, {"UPWARD_REFERRAL"}),
    "NAMESERVER09": ({"CASE_QUERIES_RESULTS_OK"}, {"CASE_QUERIES_RESULTS_DIFFER"}),
}


@pytest.mark.parametrize("test_case", sorted(NAMESERVER_HEALTHY))
def test_it_passes_healthy_name_servers(port: int, test_case: str) -> None:
    wanted, unwanted = NAMESERVER_HEALTHY[test_case]
    report = _check(port, "good.xa", [test_case])
    assert wanted <= report.tags()
    assert not unwanted & report.tags()
    assert report.worst_level is None or report.worst_level <= Level.INFO


NAMESERVER_BROKEN = [
    ("NAMESERVER01", Behaviour(open_resolver=True), "IS_A_RECURSOR"),
    ("NAMESERVER02", Behaviour(no_edns=True), "NO_EDNS_SUPPORT"),
    ("NAMESERVER03", Behaviour(allow_axfr=True), "AXFR_AVAILABLE"),
    ("NAMESERVER05", Behaviour(drop_aaaa=True), "AAAA_QUERY_DROPPED"),
    ("NAMESERVER10", Behaviour(ignore_edns_version=True), "N10_UNEXPECTED_RCODE"),
    ("NAMESERVER12", Behaviour(echo_edns_flags=True), "Z_FLAGS_NOTCLEAR"),
    ("NAMESERVER08", Behaviour(lowercase_question=True), "QNAME_CASE_INSENSITIVE"),
    ("DELEGATION06", Behaviour(empty_soa=True), "SOA_NOT_EXISTS"),
    ("NAMESERVER11", Behaviour(echo_edns_options=True), "N11_RETURNS_UNKNOWN_OPTION_CODE"),
    ("NAMESERVER07", Behaviour(upward_referral=True), "UPWARD_REFERRAL"),
    ("NAMESERVER09", Behaviour(case_sensitive=True), "CASE_QUERIES_RESULTS_DIFFER"),
    (
        "NAMESERVER13",
        Behaviour(always_truncate_udp=True, truncated_without_opt=True),
        "MISSING_OPT_IN_TRUNCATED",
    ),
]


@pytest.mark.parametrize(("test_case", "behaviour", "tag"), NAMESERVER_BROKEN)
def test_it_reports_misbehaving_name_servers(
    port: int, test_case: str, behaviour: Behaviour, tag: str
) -> None:
    report = _check(port, "bad.xa", [test_case], _broken("bad.xa", behaviour))
    assert tag in report.tags()
    assert report.worst_level is not None and report.worst_level >= Level.NOTICE


def _diverging(**second: object) -> tuple:
    """Two servers for diverge.xa whose zone copies differ as ``second`` says."""
    servers = _bad("diverge.xa", 2)
    first = make_zone("diverge.xa.", servers)
    other = make_zone("diverge.xa.", servers, **second)  # type: ignore[arg-type]

    async def body(port: int, test_case: str) -> ZoneReport:
        net = FakeNetwork(port)
        build_tree(net, {"diverge.xa.": servers})
        net.add(servers[0][1], [first])  # type: ignore[arg-type]
        net.add(servers[1][1], [other])  # type: ignore[arg-type]
        async with net:
            return await check_zone("diverge.xa", lab_config(port), tests=[test_case])

    return body


CONSISTENCY = [
    ("CONSISTENCY01", {"serial": 2024010199}, "ONE_SOA_SERIAL", "MULTIPLE_SOA_SERIALS"),
    (
        "CONSISTENCY02",
        {"soa": "ns1.diverge.xa. other.example. 2024010101 3600 600 86400 300"},
        "ONE_SOA_RNAME",
        "MULTIPLE_SOA_RNAMES",
    ),
    (
        "CONSISTENCY03",
        {"soa": "ns1.diverge.xa. hostmaster.diverge.xa. 2024010101 7200 600 86400 300"},
        "ONE_SOA_TIME_PARAMETER_SET",
        "MULTIPLE_SOA_TIME_PARAMETER_SET",
    ),
    (
        "CONSISTENCY04",
        {"extra": "diverge.xa. NS ns9.elsewhere.example.\n"},
        "ONE_NS_SET",
        "MULTIPLE_NS_SET",
    ),
    (
        "CONSISTENCY06",
        {"soa": "ns2.diverge.xa. hostmaster.diverge.xa. 2024010101 3600 600 86400 300"},
        "ONE_SOA_MNAME",
        "MULTIPLE_SOA_MNAMES",
    ),
]


@pytest.mark.parametrize(("test_case", "difference", "good_tag", "bad_tag"), CONSISTENCY)
def test_it_compares_what_each_name_server_serves(
    port: int, test_case: str, difference: dict[str, object], good_tag: str, bad_tag: str
) -> None:
    healthy = _check(port, "good.xa", [test_case]).tags()
    assert good_tag in healthy and bad_tag not in healthy
    broken = run(lambda: _diverging(**difference)(port, test_case)).tags()
    assert bad_tag in broken and good_tag not in broken


def test_it_orders_serials_in_rfc1982_arithmetic() -> None:
    from dnscert.dnshealth.engine.checks.consistency01 import serial_spread

    assert serial_spread([2**32 - 1, 3]) == 4  # wraps around per RFC 1982
    assert serial_spread([0, 2**31]) is None
    assert serial_spread([10, 12, 11]) == 2


def test_it_passes_healthy_delegation_details(port: int) -> None:
    tags = _check(port, "good.xa", ["DELEGATION02", "DELEGATION04", "DELEGATION05"]).tags()
    assert {"DEL_DISTINCT_NS_IP", "CHILD_DISTINCT_NS_IP", "ARE_AUTHORITATIVE"} <= tags
    assert "NO_NS_CNAME" in tags
    assert not {"DEL_NS_SAME_IP", "IS_NOT_AUTHORITATIVE", "NS_IS_CNAME"} & tags


def test_it_reports_name_servers_sharing_an_address(port: int) -> None:
    servers: Servers = [("ns1.same.xa.", BAD_IPS[0]), ("ns2.same.xa.", BAD_IPS[0])]
    child = (servers, make_zone("same.xa.", servers), None)
    tags = _check(port, "same.xa", ["DELEGATION02"], child).tags()
    assert {"DEL_NS_SAME_IP", "CHILD_NS_SAME_IP"} <= tags


def test_it_reports_name_servers_that_are_not_authoritative(port: int) -> None:
    child = _broken("notaa.xa", Behaviour(not_authoritative=True))
    assert "IS_NOT_AUTHORITATIVE" in _check(port, "notaa.xa", ["DELEGATION04"], child).tags()


def test_it_reports_a_name_server_name_that_is_an_alias(port: int) -> None:
    servers = _bad("alias.xa", 2)
    zone = make_zone(
        "alias.xa.",
        [servers[0], ("ns2.alias.xa.", None)],
        extra="ns2.alias.xa. CNAME ns1.alias.xa.\n",
    )
    tags = _check(port, "alias.xa", ["DELEGATION05"], (servers, zone, None)).tags()
    assert "NS_IS_CNAME" in tags and "NO_NS_CNAME" not in tags


def test_it_checks_the_root_zone_without_crashing_or_calling_it_a_recursor(port: int) -> None:
    report = _check(port, ".", ["DELEGATION03", "NAMESERVER01"])
    assert "ENGINE_CHECK_CRASHED" not in report.tags()
    assert "REFERRAL_SIZE_OK" in report.tags()
    assert "IS_A_RECURSOR" not in report.tags()
    assert "NO_RECURSOR" in report.tags()
