"""One answer serving two questions: the parent's referral for SOA and NS, EDNS0 from DO.

Each sharing must give the verdict the separate question gives, and fall back to asking
it whenever the shared answer is not clean (an authoritative parent, a different referral,
a server that breaks on DO but not on plain EDNS0).
"""

from __future__ import annotations

from typing import Any

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from dnscert.dnshealth.engine import context, registry, runner
from dnscert.dnshealth.engine.model import Level, ZoneReport
from dnscert.dnshealth.engine.query import QueryClient
from dnscert.dnshealth.engine.runner import check_zone
from tests.dnshealth.engine.conftest import (
    GOOD_IPS,
    XA_IPS,
    build_tree,
    good_servers,
    lab_config,
    make_zone,
    run,
)
from tests.dnshealth.engine.fakeserver import FakeNetwork, FakeServer, Handler

DELEGATION_CASES = ["BASIC01", "CONSISTENCY05", "DELEGATION01"]


def _check(
    port: int,
    tests: list[str],
    parent_handler: Handler | None = None,
    child_handler: Handler | None = None,
) -> tuple[ZoneReport, list[FakeServer], list[FakeServer]]:
    """Check good.xa; the xa servers and the good.xa servers, with what they were asked."""

    async def body() -> tuple[ZoneReport, list[FakeServer], list[FakeServer]]:
        net = FakeNetwork(port)
        build_tree(net)
        parents = [net.servers[ip] for ip in XA_IPS]
        children = [net.servers[ip] for ip in GOOD_IPS]
        for server in parents:
            server.handler = parent_handler
        for server in children:
            server.handler = child_handler
        async with net:
            report = await check_zone("good.xa", lab_config(port), tests=tests)
        return report, parents, children

    return run(body)


def test_it_reads_the_delegation_from_the_referral_the_parent_walk_received(port: int) -> None:
    report, parents, _children = _check(port, DELEGATION_CASES)
    assert {"B01_CHILD_FOUND", "ADDRESSES_MATCH", "ENOUGH_NS_DEL"} <= report.tags()
    assert all(server.count("good.xa.", "SOA") == 1 for server in parents)
    assert all(server.count("good.xa.", "NS") == 0 for server in parents)


def _authoritative_soa(query: dns.message.Message, tcp: bool) -> bytes | None:
    """A parent that answers the child's SOA itself (AA) and refers only NS questions."""
    question = query.question[0]
    if question.rdtype != dns.rdatatype.SOA or question.name.to_text() != "good.xa.":
        return None
    zone = make_zone("good.xa.", good_servers())
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    response.answer.append(zone.find_rrset("good.xa.", "SOA"))
    return response.to_wire()


def test_it_asks_ns_when_the_parent_answers_soa_authoritatively(port: int) -> None:
    report, parents, _children = _check(port, DELEGATION_CASES, parent_handler=_authoritative_soa)
    assert {"B01_CHILD_FOUND", "ADDRESSES_MATCH", "ENOUGH_NS_DEL"} <= report.tags()
    assert all(server.count("good.xa.", "NS") == 1 for server in parents)


def _referral_with_more_authority(query: dns.message.Message, tcp: bool) -> bytes | None:
    """A parent whose SOA referral also lists the parent's own NS in authority.

    The parent walk accepts it as a referral; the delegation does not reuse it (not clean).
    """
    question = query.question[0]
    if question.rdtype != dns.rdatatype.SOA or question.name.to_text() != "good.xa.":
        return None
    xa = make_zone("xa.", [("ns1.xa.", XA_IPS[0])], delegations={"good.xa.": good_servers()})
    response = dns.message.make_response(query)
    response.authority.append(xa.find_rrset("good.xa.", "NS"))
    response.authority.append(xa.find_rrset("xa.", "NS"))
    for name, _ip in good_servers():
        response.additional.append(xa.find_rrset(name, "A"))
    return response.to_wire()


def test_it_asks_ns_when_the_soa_referral_is_not_clean(port: int) -> None:
    report, parents, _children = _check(
        port, DELEGATION_CASES, parent_handler=_referral_with_more_authority
    )
    assert {"B01_CHILD_FOUND", "ADDRESSES_MATCH", "ENOUGH_NS_DEL"} <= report.tags()
    assert all(server.count("good.xa.", "NS") == 1 for server in parents)


def _edns0_queries(server: FakeServer) -> int:
    return server.count("good.xa.", "SOA")


def test_edns0_support_is_read_from_the_answer_to_the_dnssec_query(port: int) -> None:
    seen: list[tuple[int, int, int]] = []

    def record(query: dns.message.Message, tcp: bool) -> None:
        if query.question[0].rdtype == dns.rdatatype.SOA:
            seen.append((query.edns, query.ednsflags & dns.flags.DO, query.payload))

    report, _parents, _children = _check(port, ["NAMESERVER02"], child_handler=record)
    assert "EDNS0_SUPPORT" in report.tags()
    assert (0, dns.flags.DO, 1232) in seen
    assert (0, 0, 512) not in seen  # the plain EDNS0 question was not needed


def _formerr_on_do(query: dns.message.Message, tcp: bool) -> bytes | None:
    """FORMERR without OPT to queries with DO set; plain EDNS0 is answered normally."""
    if query.edns >= 0 and query.ednsflags & dns.flags.DO:
        response = dns.message.make_response(query)
        response.use_edns(False)
        response.set_rcode(dns.rcode.FORMERR)
        return response.to_wire()
    return None


def test_edns0_is_asked_when_the_dnssec_answer_is_not_compliant(port: int) -> None:
    report, _parents, children = _check(port, ["NAMESERVER02"], child_handler=_formerr_on_do)
    # The verdict is the plain EDNS0 question's, which this server answers correctly.
    assert "EDNS0_SUPPORT" in report.tags()
    assert "NO_EDNS_SUPPORT" not in report.tags()
    assert all(_edns0_queries(server) == 2 for server in children)


def _no_opt_in_noerror(query: dns.message.Message, tcp: bool) -> bytes | None:
    """NOERROR answers to EDNS queries without an OPT record (a broken EDNS server)."""
    if query.edns < 0 or query.question[0].rdtype != dns.rdatatype.SOA:
        return None
    zone = make_zone("good.xa.", good_servers())
    response = dns.message.make_response(query)
    response.use_edns(False)
    response.flags |= dns.flags.AA
    response.answer.append(zone.find_rrset("good.xa.", "SOA"))
    return response.to_wire()


def test_a_dnssec_answer_without_opt_still_gives_the_edns0_verdict(port: int) -> None:
    report, _parents, _children = _check(port, ["NAMESERVER02"], child_handler=_no_opt_in_noerror)
    assert "EDNS_RESPONSE_WITHOUT_EDNS" in report.tags()
    assert "EDNS0_SUPPORT" not in report.tags()


def _asked(port: int, tests: list[str] | None, ask_first: bool) -> tuple[ZoneReport, int]:
    """Check good.xa (all test cases when ``tests`` is None); the queries the servers got."""

    async def body() -> tuple[ZoneReport, int]:
        net = FakeNetwork(port)
        build_tree(net)
        async with net:
            if ask_first:
                report = await check_zone("good.xa", lab_config(port), tests=tests)
            else:
                original = runner._ask_every_server

                async def nothing(*args: object) -> None:
                    return None

                runner._ask_every_server = nothing  # type: ignore[assignment]
                try:
                    report = await check_zone("good.xa", lab_config(port), tests=tests)
                finally:
                    runner._ask_every_server = original  # type: ignore[assignment]
        return report, net.total_queries()

    return run(body)


def _verdicts(report: ZoneReport) -> set[tuple[str, str]]:
    return {(m.test_case, m.tag) for m in report.messages}


def test_asking_every_server_first_sends_nothing_more_and_changes_no_verdict(port: int) -> None:
    first, first_count = _asked(port, None, ask_first=True)
    plain, plain_count = _asked(port, None, ask_first=False)
    assert first_count == plain_count
    assert _verdicts(first) == _verdicts(plain)


@pytest.mark.parametrize(
    "case", [c for c in registry.all_test_cases() if c.asks_every_server], ids=lambda c: c.id
)
def test_each_declared_question_is_one_the_test_case_asks_every_server(
    port: int, case: type[registry.TestCase]
) -> None:
    asked: list[tuple[str, str, int, bool, bool]] = []
    original = QueryClient.start

    def recording(
        self: QueryClient, address: str, qname: object, rdtype: object, options: Any = None
    ) -> Any:
        type_ = int(dns.rdatatype.RdataType.make(rdtype))  # type: ignore[arg-type]
        asked.append((address, str(qname), type_, options.tcp, options.dnssec))
        return original(self, address, qname, rdtype, options)  # type: ignore[arg-type]

    QueryClient.start = recording  # type: ignore[method-assign]
    try:
        _asked(port, [case.id], ask_first=False)
    finally:
        QueryClient.start = original  # type: ignore[method-assign]
    for address in GOOD_IPS:
        for question in case.asks_every_server:
            rdtype = int(dns.rdatatype.RdataType.make(question.rdtype))
            wanted = (address, "good.xa.", rdtype, question.tcp, question.dnssec)
            # A plain apex SOA or NS question is first asked with DO, which stands in for it.
            stand_in = (address, "good.xa.", rdtype, question.tcp, True)
            assert wanted in asked or (
                rdtype in (dns.rdatatype.SOA, dns.rdatatype.NS)
                and not question.tcp
                and stand_in in asked
            ), f"{case.id} never asks {question} of {address}"


def _recording(log: dict[str, list[tuple[str, str, bool, int]]]) -> Handler:
    def record(query: dns.message.Message, tcp: bool) -> None:
        question = query.question[0]
        if question.rdtype in (dns.rdatatype.SOA, dns.rdatatype.NS):
            log.setdefault("all", []).append(
                (question.name.to_text(), dns.rdatatype.to_text(question.rdtype), tcp, query.edns)
            )

    return record


def test_the_dnssec_answer_stands_in_for_the_plain_apex_soa_and_ns(port: int) -> None:
    log: dict[str, list[tuple[str, str, bool, int]]] = {}
    report, _parents, _children = _check(
        port, ["BASIC02", "CONNECTIVITY01", "CONSISTENCY01"], child_handler=_recording(log)
    )
    assert "B02_AUTH_RESPONSE_SOA" in report.tags()
    assert not report.messages_at_or_above(Level.WARNING)
    asked = {(name, rdtype, edns) for name, rdtype, tcp, edns in log["all"] if not tcp}
    # Only the DO (EDNS0) questions reached the name servers; no plain one was needed.
    assert ("good.xa.", "SOA", 0) in asked and ("good.xa.", "NS", 0) in asked
    assert ("good.xa.", "SOA", -1) not in asked and ("good.xa.", "NS", -1) not in asked


def _servfail_on_edns(query: dns.message.Message, tcp: bool) -> bytes | None:
    """SERVFAIL without OPT to every EDNS query; plain queries are answered normally."""
    if query.edns >= 0:
        response = dns.message.make_response(query)
        response.use_edns(False)
        response.set_rcode(dns.rcode.SERVFAIL)
        return response.to_wire()
    return None


def test_the_plain_apex_questions_are_asked_when_the_dnssec_answer_is_not_clean(
    port: int,
) -> None:
    report, _parents, children = _check(
        port, ["BASIC02", "CONNECTIVITY01"], child_handler=_servfail_on_edns
    )
    # The verdicts are the plain questions', which these servers answer correctly.
    assert "B02_AUTH_RESPONSE_SOA" in report.tags()
    assert not report.messages_at_or_above(Level.WARNING)
    for server in children:
        assert server.count("good.xa.", "SOA") >= 2  # the DO question, then the plain one
        assert server.count("good.xa.", "NS") >= 2


def test_standing_in_changes_no_verdict_of_the_whole_plan(
    port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared, shared_count = _asked(port, None, ask_first=True)
    monkeypatch.setattr(context, "_STAND_IN_TYPES", {})
    separate, separate_count = _asked(port, None, ask_first=True)
    assert _verdicts(shared) == _verdicts(separate)
    assert shared_count < separate_count
