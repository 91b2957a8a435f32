"""security.txt (RFC 9116) as served, checked by sectxt, signed and unsigned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sectxt import Parser

from dnscert.env import ConfigError
from dnscert.sharing import securitytxt

URL = "https://cert.example/.well-known/security.txt"


def _fields(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        name, sep, value = line.partition(": ")
        if sep and not line.startswith("#"):
            found.setdefault(name, value)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("signed", [True, False])
def test_it_serves_a_valid_security_txt(client: Any, settings: Any, signed: bool) -> None:
    settings.DNSCERT_SECURITY_TXT_SIGN = signed
    settings.DNSCERT_SECURITY_TXT_CONTACTS = [
        "mailto:cert@cert.example",
        "https://cert.example/report/",
    ]
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    parser = Parser(response.content, urls=URL)
    assert parser.is_valid(), parser.errors
    codes = {r["code"] for r in parser.recommendations}
    assert ("not_signed" in codes) is not signed
    text = response.content.decode()
    assert text.startswith("-----BEGIN PGP SIGNED MESSAGE-----") is signed
    fields = _fields(text)
    assert fields["CSAF"] == "https://cert.example/.well-known/csaf/provider-metadata.json"
    assert fields["Encryption"] == "https://cert.example/pgp-key.asc"
    assert fields["Preferred-Languages"] == "en, fr"
    assert fields["Canonical"] == URL
    expires = datetime.fromisoformat(fields["Expires"].replace("Z", "+00:00"))
    assert timedelta(days=1) < expires - datetime.now(UTC) < timedelta(days=365)


def test_it_computes_expires_from_the_setting(settings: Any) -> None:
    settings.DNSCERT_SECURITY_TXT_EXPIRES_DAYS = 30
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert ("Expires", "2026-01-31T00:00:00Z") in securitytxt.fields(now)
    settings.DNSCERT_SECURITY_TXT_EXPIRES_DAYS = 400
    with pytest.raises(ConfigError, match="DNSCERT_SECURITY_TXT_EXPIRES_DAYS"):
        securitytxt.fields(now)


def test_it_defaults_the_contact_to_the_sender_address(settings: Any) -> None:
    settings.DNSCERT_SECURITY_TXT_CONTACTS = []
    settings.DEFAULT_FROM_EMAIL = "dnscert <cert@dnscert.example>"
    assert ("Contact", "mailto:cert@dnscert.example") in securitytxt.fields()
