"""A fictional constituency for demonstrations and manual testing.

Only reserved names and documentation resources are used: TLDs ``xa``, ``xb``, ``xc``, ``xd``
(user-assigned ISO codes, never delegated), ``.test`` and ``.example`` domains (RFC 2606),
IPv4 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and IPv6 2001:db8::/32 (RFC 5737,
RFC 3849), AS 64496-64511 and 65536-65551 (RFC 5398), IANA registrar ids 9001+ and phone
numbers from ranges reserved for fiction. The document is imported through the ordinary
importer, so loading it twice changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from dnscert.core.audit import Action, record
from dnscert.core.choices import Role
from dnscert.directory.importexport import ImportSummary, import_document, parse_json
from dnscert.directory.models import Organisation

#: Demo-only password of the demo member accounts; never use it anywhere real.
DEMO_PASSWORD = "demo-password-change-me"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

VERIFIED = "2026-09-01"
STALE = "2024-05-10"


def _key(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="ascii")


def _contact(name: str, email: str, **fields: Any) -> dict[str, Any]:
    # A lower-case name is the mailbox itself (noc, abuse, security): a role mailbox.
    fields.setdefault("is_role_mailbox", name.islower())
    return {"name": name, "email": email, **fields}


def _org(short_name: str, name: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {"short_name": short_name, "name": name, "kind": kind, **fields}


def _root_operators() -> list[dict[str, Any]]:
    return [
        _org(
            "root-ops-a",
            "Root Operations A",
            "root_operator",
            country="US",
            languages=["en"],
            time_zone="America/New_York",
            membership="operational",
            zones=[{"name": ".", "kind": "root"}],
            nameservers=[
                {"hostname": "a.root-servers.test.", "addresses": ["192.0.2.1", "2001:db8::1"]}
            ],
            prefixes=["192.0.2.0/28", "2001:db8::/48"],
            asns=[64496],
            contacts=[
                _contact(
                    "noc",
                    "noc@root-ops-a.example",
                    phone="+12025550101",
                    is_24x7=True,
                    languages=["en"],
                    time_zone="America/New_York",
                    last_verified=VERIFIED,
                )
            ],
        ),
        _org(
            "root-ops-b",
            "Root Operations B",
            "root_operator",
            country="DE",
            languages=["de", "en"],
            time_zone="Europe/Berlin",
            membership="operational",
            nameservers=[
                {"hostname": "b.root-servers.test.", "addresses": ["192.0.2.17", "2001:db8:1::1"]}
            ],
            prefixes=["192.0.2.16/28", "2001:db8:1::/48"],
            asns=[64497],
            contacts=[
                _contact(
                    "noc",
                    "noc@root-ops-b.example",
                    phone="+4930901820",
                    is_24x7=True,
                    languages=["de", "en"],
                    time_zone="Europe/Berlin",
                    last_verified=VERIFIED,
                ),
                _contact(
                    "Jana Beispiel",
                    "jana.beispiel@root-ops-b.example",
                    role="Head of operations",
                    languages=["de", "en"],
                    time_zone="Europe/Berlin",
                    last_verified=STALE,
                ),
            ],
        ),
    ]


def _registries() -> list[dict[str, Any]]:
    return [
        _org(
            "registry-xa",
            "Registre XA",
            "cctld_registry",
            country="FR",
            languages=["fr", "en"],
            time_zone="Europe/Paris",
            membership="operational",
            website="https://www.registre-xa.example/",
            security_txt_url="https://www.registre-xa.example/.well-known/security.txt",
            zones=[{"name": "xa.", "kind": "tld"}],
            nameservers=[
                {"hostname": "a.nic.xa.", "addresses": ["192.0.2.33", "2001:db8:a::53"]},
                {"hostname": "b.nic.xa.", "addresses": ["198.51.100.33"]},
            ],
            prefixes=["192.0.2.32/28", "2001:db8:a::/48"],
            asns=[64498],
            contacts=[
                _contact(
                    "noc",
                    "noc@registre-xa.example",
                    phone="+33199001001",
                    is_24x7=True,
                    languages=["fr", "en"],
                    time_zone="Europe/Paris",
                    last_verified=VERIFIED,
                ),
                _contact(
                    "CSIRT",
                    "csirt@registre-xa.example",
                    is_role_mailbox=True,
                    is_24x7=True,
                    languages=["fr", "en"],
                    time_zone="Europe/Paris",
                    pgp_key=_key("pgp-csirt-registre-xa.asc"),
                    last_verified=VERIFIED,
                ),
                _contact(
                    "Camille Exemple",
                    "camille.exemple@registre-xa.example",
                    role="Responsable sécurité",
                    phone="+33199001002",
                    languages=["fr"],
                    time_zone="Europe/Paris",
                    last_verified=STALE,
                ),
            ],
        ),
        _org(
            "registry-xb",
            "XB Registry",
            "cctld_registry",
            country="JP",
            languages=["ja", "en"],
            time_zone="Asia/Tokyo",
            membership="operational",
            zones=[{"name": "xb.", "kind": "tld"}],
            nameservers=[{"hostname": "ns1.nic.xb.", "addresses": ["198.51.100.1"]}],
            prefixes=["198.51.100.0/28", "2001:db8:b::/48"],
            asns=[64499],
            contacts=[
                _contact(
                    "abuse",
                    "abuse@xb-registry.example",
                    is_24x7=True,
                    languages=["ja", "en"],
                    time_zone="Asia/Tokyo",
                    last_verified=VERIFIED,
                ),
                _contact(
                    "Hanako Rei",
                    "hanako.rei@xb-registry.example",
                    role="CISO",
                    phone="+81355501234",
                    languages=["ja", "en"],
                    time_zone="Asia/Tokyo",
                    last_verified=VERIFIED,
                ),
            ],
        ),
        _gtld("registry-xc", "XC Registry Services", "xc", "America/New_York", 64500, "16"),
        _gtld("registry-xd", "XD Registry", "xd", "America/Los_Angeles", 64501, "48"),
    ]


def _gtld(short: str, name: str, tld: str, time_zone: str, asn: int, net: str) -> dict[str, Any]:
    return _org(
        short,
        name,
        "gtld_registry",
        country="US",
        languages=["en", "es"],
        time_zone=time_zone,
        membership="operational",
        zones=[{"name": f"{tld}.", "kind": "tld"}],
        nameservers=[{"hostname": f"ns1.nic.{tld}.", "addresses": [f"198.51.100.{net}"]}],
        prefixes=[f"198.51.100.{net}/28"],
        asns=[asn],
        contacts=[
            _contact(
                "security",
                f"security@{short}.example",
                phone="+12025550123",
                is_24x7=True,
                languages=["en", "es"],
                time_zone=time_zone,
                last_verified=VERIFIED,
            )
        ],
    )


REGISTRARS = [
    ("registrar-names", "Example Names Registrar", 9001, "DE", "de", "Europe/Berlin"),
    ("registrar-ejemplo", "Registrador Ejemplo", 9002, "MX", "es", "America/Mexico_City"),
    ("registrar-domaines", "Domaines Exemple", 9003, "FR", "fr", "Europe/Paris"),
    ("registrar-nihon", "Nihon Example Registrar", 9004, "JP", "ja", "Asia/Tokyo"),
    ("registrar-global", "Global Test Registrar", 9005, "GB", "en", "Europe/London"),
]


def _registrars() -> list[dict[str, Any]]:
    return [
        _org(
            short,
            name,
            "registrar",
            iana_id=iana_id,
            country=country,
            languages=[language, "en"] if language != "en" else ["en"],
            time_zone=time_zone,
            contacts=[
                _contact(
                    "abuse",
                    f"abuse@{short}.example",
                    is_24x7=iana_id % 2 == 1,
                    languages=[language],
                    time_zone=time_zone,
                    last_verified=VERIFIED if iana_id != 9004 else STALE,
                )
            ],
        )
        for short, name, iana_id, country, language, time_zone in REGISTRARS
    ]


def _operators() -> list[dict[str, Any]]:
    return [
        _org(
            "shop-hosting-xa",
            "Shop Hosting XA",
            "dns_operator",
            country="FR",
            languages=["fr"],
            time_zone="Europe/Paris",
            zones=[{"name": "shop.xa."}],
            nameservers=[{"hostname": "ns1.shop-hosting.test.", "addresses": ["203.0.113.10"]}],
            prefixes=["203.0.113.0/26"],
            asns=[65536],
            contacts=[
                _contact(
                    "noc",
                    "noc@shop-hosting-xa.example",
                    is_24x7=True,
                    languages=["fr", "en"],
                    time_zone="Europe/Paris",
                    last_verified=VERIFIED,
                )
            ],
        ),
        _org(
            "bank-dns-xb",
            "Bank DNS Services",
            "dns_operator",
            country="JP",
            languages=["ja", "en"],
            time_zone="Asia/Tokyo",
            zones=[{"name": "bank.xb."}],
            nameservers=[
                {"hostname": "ns1.bank-dns.test.", "addresses": ["203.0.113.70", "2001:db8:ba::1"]}
            ],
            prefixes=["203.0.113.64/26", "2001:db8:ba::/48"],
            asns=[65537],
            contacts=[
                _contact(
                    "Kenji Sample",
                    "kenji.sample@bank-dns-xb.example",
                    role="DNS lead",
                    is_24x7=True,
                    languages=["ja"],
                    time_zone="Asia/Tokyo",
                )
            ],
        ),
    ]


def _vendor(short: str, name: str, product: str, kind: str, **contact: Any) -> dict[str, Any]:
    slug = product.lower().replace("-", "")
    return _org(
        short,
        name,
        "vendor",
        country=contact.pop("country"),
        languages=["en"],
        time_zone=contact.get("time_zone", "UTC"),
        products=[
            {
                "name": product,
                "kind": kind,
                "cpe": f"cpe:2.3:a:{slug}:{slug}:*:*:*:*:*:*:*:*",
                "purl": f"pkg:generic/{slug}",
            }
        ],
        contacts=[_contact("security", f"security@{short}.example", languages=["en"], **contact)],
    )


def _others() -> list[dict[str, Any]]:
    return [
        _org(
            "cert-xa",
            "CERT-XA",
            "national_cert",
            country="FR",
            languages=["fr", "en"],
            time_zone="Europe/Paris",
            membership="policy",
            clients=["registry-xa", "registrar-domaines", "shop-hosting-xa"],
            contacts=[
                _contact(
                    "incident",
                    "incident@cert-xa.example",
                    phone="+33199002000",
                    is_24x7=True,
                    languages=["fr", "en"],
                    time_zone="Europe/Paris",
                    last_verified=VERIFIED,
                )
            ],
        ),
        _vendor(
            "vendor-resolvd",
            "Resolvd Project",
            "Resolvd",
            "resolver",
            country="NL",
            time_zone="Europe/Amsterdam",
            pgp_key=_key("pgp-security-resolvd.asc"),
            last_verified=VERIFIED,
        ),
        _vendor(
            "vendor-authns",
            "AuthNS Software",
            "AuthNS",
            "authoritative",
            country="CZ",
            time_zone="Europe/Prague",
            last_verified=STALE,
        ),
        _vendor(
            "vendor-bothdns",
            "Both-DNS Labs",
            "Both-DNS",
            "both",
            country="US",
            time_zone="America/Los_Angeles",
            is_24x7=True,
            last_verified=VERIFIED,
        ),
        _org(
            "dns-measurement-lab",
            "DNS Measurement Lab",
            "researcher",
            country="ES",
            languages=["es", "en"],
            time_zone="Europe/Madrid",
            contacts=[
                _contact(
                    "Lucía Ejemplo",
                    "lucia@dns-lab.example",
                    role="Researcher",
                    languages=["es", "en"],
                    time_zone="Europe/Madrid",
                )
            ],
        ),
    ]


def demo_document() -> dict[str, Any]:
    """The demo constituency as an import document."""
    organisations = [
        *_root_operators(),
        *_registries(),
        *_registrars(),
        *_operators(),
        *_others(),
    ]
    return {"format": "dnscert-directory", "version": 1, "organisations": organisations}


#: One demo member account per registry and vendor: (username, organisation short name).
DEMO_MEMBERS = [
    ("registry-xa", "registry-xa"),
    ("registry-xb", "registry-xb"),
    ("registry-xc", "registry-xc"),
    ("registry-xd", "registry-xd"),
    ("vendor-resolvd", "vendor-resolvd"),
    ("vendor-authns", "vendor-authns"),
    ("vendor-bothdns", "vendor-bothdns"),
]


def _ensure_demo_members() -> list[str]:
    """Create the missing demo member accounts; return the usernames created."""
    users = get_user_model()
    created = []
    for username, short_name in DEMO_MEMBERS:
        if users.objects.filter(username=username).exists():
            continue
        user = users.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            email=f"{username}@members.example",
            role=Role.MEMBER,
            organisation=Organisation.objects.get(short_name=short_name),
        )
        record(None, Action.CREATE, user, changes={"role": Role.MEMBER, "demo": True})
        created.append(username)
    return created


@transaction.atomic
def load_demo_directory() -> tuple[ImportSummary, list[str]]:
    """Load (or refresh) the demo constituency and its member accounts."""
    document = parse_json(json.dumps(demo_document()))
    summary = import_document(None, document, source="demo")
    return summary, _ensure_demo_members()
