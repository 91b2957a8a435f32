"""The lab server answers like CoreDNS's file, template, acl, header, chaos and unbound."""

from __future__ import annotations

from collections.abc import Callable

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from dnscert.dnslab.server import LabServer

Ask = Callable[..., dns.message.Message]


def _rrset_types(section: list) -> set[str]:  # type: ignore[type-arg]
    return {dns.rdatatype.to_text(rrset.rdtype) for rrset in section}


@pytest.mark.parametrize("tcp", [False, True])
def test_it_answers_authoritatively_over_udp_and_tcp(ask: Ask, tcp: bool) -> None:
    response = ask("127.53.0.2", "www.lab.", "A", tcp=tcp)
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    assert [r.to_text() for r in response.answer] == ["www.lab. 3600 IN A 192.0.2.10"]
    assert _rrset_types(response.authority) == {"NS"}


def test_it_refers_at_zone_cuts_with_glue(ask: Ask) -> None:
    response = ask("127.53.0.2", "host.child.lab.", "A")
    assert not response.flags & dns.flags.AA
    assert response.answer == []
    assert response.authority[0].to_text() == "child.lab. 3600 IN NS ns1.child.lab."
    assert response.additional[0].to_text() == "ns1.child.lab. 3600 IN A 127.53.0.3"


def test_it_answers_ds_from_the_parent_side_of_a_cut(ask: Ask) -> None:
    response = ask("127.53.0.1", "lab.", "DS")
    assert response.flags & dns.flags.AA
    assert _rrset_types(response.answer) == {"DS"}


def test_it_answers_nxdomain_and_nodata_with_the_soa(ask: Ask) -> None:
    missing = ask("127.53.0.2", "missing.lab.", "A")
    assert missing.rcode() == dns.rcode.NXDOMAIN
    assert _rrset_types(missing.authority) == {"SOA"}
    nodata = ask("127.53.0.2", "www.lab.", "MX")
    assert nodata.rcode() == dns.rcode.NOERROR and nodata.answer == []
    assert _rrset_types(nodata.authority) == {"SOA"}
    empty_non_terminal = ask("127.53.0.2", "empty.nonterminal.lab.", "A")
    assert empty_non_terminal.rcode() == dns.rcode.NOERROR


def test_it_follows_cnames_inside_the_zone(ask: Ask) -> None:
    response = ask("127.53.0.2", "alias.lab.", "A")
    assert _rrset_types(response.answer) == {"CNAME", "A"}


def test_it_synthesizes_wildcard_answers(ask: Ask) -> None:
    response = ask("127.53.0.2", "anything.wild.lab.", "TXT")
    assert response.answer[0].name.to_text() == "anything.wild.lab."
    assert response.answer[0][0].strings == (b"wildcard",)


def test_it_uses_the_first_matching_template(ask: Ask) -> None:
    response = ask("127.53.0.2", "fixed.lab.", "TXT")
    assert response.flags & dns.flags.AA
    assert response.answer[0][0].strings == (b"first",)


def test_it_answers_template_rcodes(ask: Ask) -> None:
    assert ask("127.53.0.2", "broken.lab.", "A").rcode() == dns.rcode.SERVFAIL
    gone = ask("127.53.0.2", "gone.lab.", "AAAA")
    assert gone.rcode() == dns.rcode.NXDOMAIN
    assert _rrset_types(gone.authority) == {"SOA"}


def test_it_drops_queries_an_acl_drops(ask: Ask) -> None:
    with pytest.raises(dns.exception.Timeout):
        ask("127.53.0.2", "silent.lab.", "A")


def test_it_refuses_only_the_blocked_types(ask: Ask) -> None:
    assert ask("127.53.0.2", "refused.lab.", "MX").rcode() == dns.rcode.REFUSED
    assert ask("127.53.0.2", "refused.lab.", "A").rcode() == dns.rcode.NXDOMAIN


def test_it_clears_flags_with_the_header_plugin(ask: Ask) -> None:
    response = ask("127.53.0.4", "www.notauth.lab.", "A")
    assert not response.flags & dns.flags.AA


def test_it_refuses_names_no_block_serves(ask: Ask) -> None:
    assert ask("127.53.0.2", "example.org.", "A").rcode() == dns.rcode.REFUSED


def test_it_answers_badvers_to_unknown_edns_versions(ask: Ask) -> None:
    response = ask("127.53.0.2", "www.lab.", "A", use_edns=1)
    assert response.rcode() == dns.rcode.BADVERS
    assert response.edns == 0


def test_it_echoes_edns_and_the_do_bit(ask: Ask) -> None:
    response = ask("127.53.0.2", "www.lab.", "A", want_dnssec=True)
    assert response.edns == 0
    assert response.ednsflags & dns.flags.DO


def test_it_truncates_udp_answers_larger_than_the_buffer(ask: Ask) -> None:
    response = ask("127.53.0.2", "big.lab.", "TXT")
    assert response.flags & dns.flags.TC
    assert ask("127.53.0.2", "big.lab.", "TXT", tcp=True).answer


def test_it_answers_the_chaos_version_query(ask: Ask) -> None:
    response = ask("127.53.0.5", "version.bind.", "TXT", rdclass="CH")
    assert response.answer[0][0].strings == (b"lab-1.0",)


def test_it_resolves_recursively_with_the_unbound_block(ask: Ask) -> None:
    response = ask("127.53.0.5", "www.lab.", "AAAA")
    assert response.flags & dns.flags.RA
    assert [r.to_text() for r in response.answer] == ["www.lab. 3600 IN AAAA 2001:db8::10"]


def test_it_answers_formerr_to_garbage(lab: LabServer) -> None:
    import socket

    port = lab.endpoints[0][1]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(3)
        sock.sendto(b"\x12\x34" + b"\x00" * 10 + b"\xff\xff", ("127.53.0.2", port))
        data, _ = sock.recvfrom(512)
    assert data[:2] == b"\x12\x34"
    assert data[3] & 0x0F == dns.rcode.FORMERR
