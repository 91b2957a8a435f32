"""Root hints files and undelegated name server specifications."""

from __future__ import annotations

import pytest

from dnscert.dnshealth.engine.hints import HintsError, parse_hints, parse_ns_specs

NAMED_ROOT = """;       This file holds the information on root name servers
.                        3600000      NS    A.ROOT-SERVERS.NET.
A.ROOT-SERVERS.NET.      3600000      A     198.41.0.4
A.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:ba3e::2:30
;
.                        3600000      NS    B.ROOT-SERVERS.NET.
B.ROOT-SERVERS.NET.      3600000      A     170.247.170.2
; End of file
"""


def test_it_reads_a_named_root_file() -> None:
    hints = dict(parse_hints(NAMED_ROOT))
    assert hints == {
        "A.ROOT-SERVERS.NET.": ["198.41.0.4", "2001:503:ba3e::2:30"],
        "B.ROOT-SERVERS.NET.": ["170.247.170.2"],
    }


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("example. 3600 IN A 192.0.2.1\n", "no NS records for the root zone"),
        (". 3600 IN NS a.example.\n", "no root server has an A or AAAA record"),
        (". 3600 IN NS (\n", "not a root hints file"),
    ],
)
def test_it_names_what_is_wrong_with_a_hints_file(text: str, complaint: str) -> None:
    with pytest.raises(HintsError, match=complaint):
        parse_hints(text, "my.hints")


def test_it_reads_undelegated_name_server_specifications() -> None:
    specs = ["ns1.x.xa/127.0.0.1", "ns1.x.xa/fda1:b2:c3:0:127:0:0:1", "ns2.y.xb"]
    assert parse_ns_specs(specs) == {
        "ns1.x.xa.": ["127.0.0.1", "fda1:b2:c3:0:127::1"],  # canonical IPv6 text
        "ns2.y.xb.": [],
    }
    with pytest.raises(HintsError, match="has no name"):
        parse_ns_specs(["/127.0.0.1"])
