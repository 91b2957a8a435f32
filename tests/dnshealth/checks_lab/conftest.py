"""A lab world for the Address, Connectivity and Zone checks, served by the lab server.

Addresses are in 127.54.0.0/16 on a free high port; every address the checks may query is
loopback (``local.test``'s servers are bound by nobody, so they refuse at once). The root
delegates ``test.``, a reverse zone and the prefix database ``asnlookup.zonemaster.net``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dnscert.dnshealth.engine.model import EngineConfig
from dnscert.dnshealth.engine.runner import check_zone
from dnscert.dnslab.background import lab_in_background
from tests.conftest import find_free_port

SOA = "@ SOA ns1 admin 1 3600 600 86400 300\n"

STALE = """@ SOA master admin {serial} 14400 3600 1209600 3600
@ NS ns1
ns1 A 127.54.4.6
master A 127.54.4.7
"""

FILES = {
    "root.zone": SOA.replace("ns1", "ns1.").replace("admin", "admin.")
    + """@ NS ns1.
ns1. A 127.54.0.1
test. NS ns1.test.
ns1.test. A 127.54.0.2
54.127.in-addr.arpa. NS revns.
revns. A 127.54.0.3
asnlookup.zonemaster.net. NS asnns.
asnns. A 127.54.0.4
""",
    "test.zone": SOA
    + """@ NS ns1
ns1 A 127.54.0.2
spf NS ns1.spf
spf NS ns2.spf
ns1.spf A 127.54.1.1
ns2.spf A 127.54.1.2
badspf NS ns1.badspf
ns1.badspf A 127.54.2.1
local NS ns1.local
local NS ns2.local
ns1.local A 127.54.9.8
ns2.local A 127.54.9.9
ptr NS ns1.ptr
ns1.ptr A 127.54.3.1
ptr2 NS ns1.ptr2
ns1.ptr2 A 127.54.3.2
good NS ns1.good
ns1.good A 127.54.4.1
alias NS ns1.alias
ns1.alias A 127.54.4.2
wrongsoa NS ns1.wrongsoa
ns1.wrongsoa A 127.54.4.3
syntax NS ns1.syntax
ns1.syntax A 127.54.4.4
nullmx NS ns1.nullmx
ns1.nullmx A 127.54.4.8
stale NS ns1.stale
ns1.stale A 127.54.4.6
notaa NS ns1.notaa
ns1.notaa A 127.54.4.5
multi NS ns1.multi
multi NS ns2.multi
ns1.multi A 127.54.1.1
ns2.multi A 127.54.2.1
badns NS ns_1.badns
badns NS ab--x.badns
badns NS ns.123.
""",
    "stale.zone": STALE.format(serial=5),
    "stale-old.zone": STALE.format(serial=3),
    "nullmx.zone": SOA + "@ NS ns1\nns1 A 127.54.4.8\n@ MX 10 .\n@ MX 20 mail.good.test.\n",
    "syntax.zone": """@ SOA ab--cd john\\@doe 1 14400 3600 1209600 3600
@ NS ns1
ns1 A 127.54.4.4
@ MX 10 mail_x
@ MX 20 mx.123.
""",
    "good.zone": """@ SOA ns1 admin 1 14400 3600 1209600 3600
@ NS ns1
ns1 A 127.54.4.1
@ MX 10 mail
mail A 127.54.4.9
""",
    "alias.zone": """@ SOA master admin 1 3600 3600 3000 100000
@ NS ns1
ns1 A 127.54.4.2
master CNAME ns1
""",
    "spf.zone": SOA
    + """@ NS ns1
@ NS ns2
ns1 A 127.54.1.1
ns2 A 127.54.1.2
@ TXT "v=spf1 ip4:192.0.2.0/24 " "-all"
@ TXT "unrelated text"
""",
    "badspf.zone": SOA + '@ NS ns1\nns1 A 127.54.2.1\n@ TXT "v=spf1 amx-all"\n',
    "ptr.zone": SOA + "@ NS ns1\nns1 A 127.54.3.1\n",
    "ptr2.zone": SOA + "@ NS ns1\nns1 A 127.54.3.2\n",
    "reverse.zone": SOA.replace("ns1", "revns.").replace("admin", "admin.")
    + """@ NS revns.
1.3 PTR ns1.ptr.test.
2.3 PTR somebody-else.test.
""",
    "asn.zone": SOA
    + """@ NS asnns.
*.1.54.127.origin TXT "64512 | 127.54.1.0/24 | ZZ | lab | 2024-01-01"
*.2.54.127.origin TXT "64513 | 127.54.0.0/16 | ZZ | lab | 2024-01-01"
*.2.54.127.origin TXT "64512 | 127.54.2.0/24 | ZZ | lab | 2024-01-01"
""",
}

COREFILE = """\
. { bind 127.54.0.1
    file root.zone . }
test. { bind 127.54.0.2
    file test.zone test. }
54.127.in-addr.arpa. { bind 127.54.0.3
    file reverse.zone 54.127.in-addr.arpa. }
asnlookup.zonemaster.net. { bind 127.54.0.4
    file asn.zone asnlookup.zonemaster.net. }
spf.test. { bind 127.54.1.1 127.54.1.2
    file spf.zone spf.test. }
badspf.test. { bind 127.54.2.1
    file badspf.zone badspf.test. }
ptr.test. { bind 127.54.3.1
    file ptr.zone ptr.test. }
ptr2.test. { bind 127.54.3.2
    file ptr2.zone ptr2.test. }
good.test. { bind 127.54.4.1
    file good.zone good.test. }
alias.test. { bind 127.54.4.2
    file alias.zone alias.test.
    template IN MX alias.test {
        answer "alias.test. 60 IN CNAME good.test."
    }
}
nullmx.test. { bind 127.54.4.8
    file nullmx.zone nullmx.test. }
stale.test. { bind 127.54.4.6
    file stale.zone stale.test. }
stale.test. { bind 127.54.4.7
    file stale-old.zone stale.test. }
notaa.test. {
    bind 127.54.4.5
    file good.zone notaa.test.
    header {
        response clear aa
    }
}
syntax.test. { bind 127.54.4.4
    file syntax.zone syntax.test. }
wrongsoa.test. {
    bind 127.54.4.3
    template IN SOA wrongsoa.test {
        answer "other.test. 60 IN SOA ns1.other.test. admin.other.test. 1 2 3 4 5"
    }
}
"""


@pytest.fixture(scope="package")
def lab_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """Serve the world; yields the port."""
    folder: Path = tmp_path_factory.mktemp("checks_lab")
    for name, text in FILES.items():
        (folder / name).write_text(text)
    # The Corefile above puts "{ bind" on one line; the parser wants directives on lines.
    corefile = COREFILE.replace("{ bind", "{\n    bind").replace(". }", ".\n}")
    port = find_free_port()
    with lab_in_background(corefile, folder, port):
        yield port


@pytest.fixture
def run_check(lab_port: int) -> Callable[[str, str], set[str]]:
    """``run_check(zone, test_case_id)`` -> the tags the test case emitted."""

    def run(zone: str, test_case: str) -> set[str]:
        config = EngineConfig(
            root_hints=[("ns1.", ["127.54.0.1"])],
            port=lab_port,
            timeout=0.5,
            retries=1,
            ipv6=False,
        )
        report = asyncio.run(check_zone(zone, config, tests=[test_case]))
        return report.tags()

    return run
