"""Validation and normalisation of directory data."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dnscert.directory import validators

from .conftest import Keys


def message_of(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+33123456789", "+33123456789"),
        ("+33 1 23 45 67 89", "+33123456789"),
        ("+1 (202) 555-0143", "+12025550143"),
        ("", ""),
    ],
)
def test_it_normalises_phones_to_e164(raw: str, expected: str) -> None:
    assert validators.normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["0123456789", "+33", "+0123456789", "+1234567890123456"])
def test_it_rejects_phones_not_in_e164(raw: str) -> None:
    with pytest.raises(ValidationError, match=r"E\.164"):
        validators.normalise_phone(raw)


def test_it_rejects_letters_in_phones_naming_the_field() -> None:
    with pytest.raises(ValidationError) as error:
        validators.normalise_phone("+33 1 CALL ME", field="phone")
    assert message_of(error).startswith("phone:")
    assert "letters" in message_of(error)


def test_it_accepts_iana_time_zones_only() -> None:
    validators.validate_time_zone("Europe/Paris")
    validators.validate_time_zone("UTC")
    with pytest.raises(ValidationError, match="Mars/Olympus"):
        validators.validate_time_zone("Mars/Olympus")


def test_it_normalises_country_codes() -> None:
    assert validators.normalise_country(" fr ") == "FR"
    assert validators.normalise_country("") == ""
    with pytest.raises(ValidationError, match="ISO 3166-1"):
        validators.normalise_country("XA")
    with pytest.raises(ValidationError):
        validators.validate_country("fr")


def test_it_normalises_language_lists() -> None:
    assert validators.normalise_languages("FR, en fr") == ["fr", "en"]
    assert validators.normalise_languages(["ja"]) == ["ja"]
    assert validators.normalise_languages(None) == []
    with pytest.raises(ValidationError, match="'klingon'"):
        validators.normalise_languages(["en", "klingon"])
    with pytest.raises(ValidationError):
        validators.normalise_languages(42)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Example.XA", "example.xa."),
        ("shop.xa.", "shop.xa."),
        (".", "."),
        ("_dmarc.shop.xa", "_dmarc.shop.xa."),
        ("bücher.xa", "xn--bcher-kva.xa."),
    ],
)
def test_it_normalises_zone_names(raw: str, expected: str) -> None:
    assert validators.normalise_zone_name(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "bad..name", "-leading.xa", "sp ace.xa", "a" * 64 + ".xa", "x/y.xa"]
)
def test_it_rejects_invalid_zone_names(raw: str) -> None:
    with pytest.raises(ValidationError):
        validators.normalise_zone_name(raw)


def test_it_rejects_the_root_and_underscores_as_host_names() -> None:
    assert validators.normalise_hostname("A.Root-Servers.TEST") == "a.root-servers.test."
    with pytest.raises(ValidationError, match="root"):
        validators.normalise_hostname(".")
    with pytest.raises(ValidationError):
        validators.normalise_hostname("_srv.example.test")


def test_it_validates_the_canonical_forms_stored_in_models() -> None:
    validators.validate_zone_name("xa.")
    validators.validate_hostname("ns1.nic.xa.")
    with pytest.raises(ValidationError, match="end with a dot"):
        validators.validate_zone_name("xa")


def test_it_normalises_ip_prefixes_strictly() -> None:
    assert validators.normalise_prefix("2001:0db8:0000::/32") == "2001:db8::/32"
    assert validators.normalise_prefix("192.0.2.0/24") == "192.0.2.0/24"
    with pytest.raises(ValidationError, match="host bits"):
        validators.normalise_prefix("192.0.2.1/24")
    with pytest.raises(ValidationError, match="not a valid IP prefix"):
        validators.normalise_prefix("192.0.2.0/33")


def test_it_normalises_address_lists() -> None:
    assert validators.normalise_addresses("192.0.2.1 2001:DB8::1") == ["192.0.2.1", "2001:db8::1"]
    with pytest.raises(ValidationError, match="not an IP address"):
        validators.normalise_addresses(["192.0.2.300"])


@pytest.mark.parametrize(("raw", "expected"), [(64496, 64496), ("AS65536", 65536), ("1", 1)])
def test_it_accepts_usable_as_numbers(raw: object, expected: int) -> None:
    assert validators.normalise_asn(raw) == expected


@pytest.mark.parametrize("raw", [0, 23456, 65535, 4294967295, "ASX", True, -5])
def test_it_rejects_reserved_or_malformed_as_numbers(raw: object) -> None:
    with pytest.raises(ValidationError):
        validators.normalise_asn(raw)


def test_it_normalises_fingerprints() -> None:
    spaced = "6D44 2957 1BAC E690 7AA4  6639 CD63 C86F 6B0E FE87".lower()
    assert validators.normalise_fingerprint(spaced) == "6D4429571BACE6907AA46639CD63C86F6B0EFE87"
    with pytest.raises(ValidationError, match="40-hex-digit"):
        validators.normalise_fingerprint("DEADBEEF")


def test_it_reads_a_public_key_and_returns_its_fingerprint(pgp_keys: Keys) -> None:
    info = validators.inspect_public_key(pgp_keys.valid.armoured)
    assert info.fingerprint == pgp_keys.valid.fingerprint
    assert any("csirt@registry.example" in uid for uid in info.user_ids)


def test_it_accepts_a_matching_fingerprint_and_refuses_another(pgp_keys: Keys) -> None:
    key = pgp_keys.valid
    spaced = " ".join(key.fingerprint[i : i + 4] for i in range(0, 40, 4)).lower()
    assert validators.inspect_public_key(key.armoured, spaced).fingerprint == key.fingerprint
    with pytest.raises(ValidationError, match="does not match"):
        validators.inspect_public_key(key.armoured, pgp_keys.other.fingerprint)


def test_it_refuses_expired_keys(pgp_keys: Keys) -> None:
    with pytest.raises(ValidationError, match="expired"):
        validators.inspect_public_key(pgp_keys.expired.armoured)


def test_it_refuses_revoked_keys(pgp_keys: Keys) -> None:
    with pytest.raises(ValidationError, match="revoked"):
        validators.inspect_public_key(pgp_keys.revoked.armoured)


def test_it_refuses_secret_keys(pgp_keys: Keys) -> None:
    with pytest.raises(ValidationError, match="secret key"):
        validators.inspect_public_key(pgp_keys.secret)


def test_it_refuses_two_keys_at_once(pgp_keys: Keys) -> None:
    with pytest.raises(ValidationError, match="exactly one public key, found 2"):
        validators.inspect_public_key(pgp_keys.valid.armoured + pgp_keys.other.armoured)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm90IGEga2V5\n"
        "-----END PGP PUBLIC KEY BLOCK-----\n",
    ],
)
def test_it_refuses_garbage_as_a_key(text: str) -> None:
    with pytest.raises(ValidationError, match="pgp_key"):
        validators.inspect_public_key(text)
