"""A small lab world for the lab server tests: a root, a TLD and a few test zones.

Addresses live in 127.53.0.0/16 (all loopback on Linux, no set-up needed); the port is a free
high port, so the tests run unprivileged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import dns.message
import dns.query
import pytest

from dnscert.dnslab.background import lab_in_background
from dnscert.dnslab.server import LabServer
from tests.conftest import find_free_port

ROOT_ZONE = """\
$TTL 3600
@       SOA ns1. admin. 1 3600 600 86400 300
@       NS  ns1.
ns1.    A   127.53.0.1
lab.    NS  ns1.lab.
lab.    DS  12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
ns1.lab. A  127.53.0.2
"""

LAB_ZONE = """\
$TTL 3600
@           SOA ns1 admin 2024010101 3600 600 86400 300
@           NS  ns1
ns1         A   127.53.0.2
www         A   192.0.2.10
www         AAAA 2001:db8::10
alias       CNAME www
*.wild      TXT "wildcard"
deep.empty.nonterminal A 192.0.2.20
child       NS  ns1.child
ns1.child   A   127.53.0.3
big         TXT "{big}"
big         TXT "{big2}"
big         TXT "{big3}"
"""

COREFILE = """\
. {{
    bind 127.53.0.1
    file root.zone .
}}
lab. {{
    bind 127.53.0.2
    log
    file lab.zone lab
    template IN TXT fixed.lab {{
        answer "fixed.lab. 60 IN TXT first"
    }}
    template IN TXT fixed.lab {{
        answer "fixed.lab. 60 IN TXT second"
    }}
    template IN A broken.lab {{
        rcode SERVFAIL
    }}
    template IN ANY gone.lab {{
        rcode NXDOMAIN
        authority "lab. 60 IN SOA ns1.lab. admin.lab. 1 2 3 4 5"
    }}
    acl silent.lab {{
        drop
    }}
    acl refused.lab {{
        block type MX
    }}
}}
notauth.lab:{port} {{
    bind 127.53.0.4
    file lab.zone lab
    header {{
        response clear aa
    }}
}}
. {{
    bind 127.53.0.5
    chaos "lab-1.0"
    unbound {{
        option root-hints hints.zone
    }}
}}
"""

HINTS = ". 3600 NS ns1.\nns1. 3600 A 127.53.0.1\n"


def write_lab(folder: Path, port: int) -> str:
    """Write the zone files into ``folder`` and return the Corefile text."""
    (folder / "root.zone").write_text(ROOT_ZONE)
    (folder / "lab.zone").write_text(LAB_ZONE.format(big="a" * 250, big2="b" * 250, big3="c" * 250))
    (folder / "hints.zone").write_text(HINTS)
    return COREFILE.format(port=port)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """The lab world served on a free port."""
    folder = tmp_path_factory.mktemp("lab")
    port = find_free_port()
    with lab_in_background(write_lab(folder, port), folder, port) as server:
        yield server


@pytest.fixture
def ask(lab: LabServer) -> Callable[..., dns.message.Message]:
    """``ask(address, qname, rdtype, tcp=False, **make_query options)``."""
    port = lab.endpoints[0][1]

    def query(
        address: str, qname: str, rdtype: str, tcp: bool = False, **options: object
    ) -> dns.message.Message:
        message = dns.message.make_query(qname, rdtype, **options)  # type: ignore[arg-type]
        if tcp:
            return dns.query.tcp(message, address, timeout=3, port=port)
        return dns.query.udp(message, address, timeout=3, port=port)

    return query
