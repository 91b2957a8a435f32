"""Validation and normalisation of directory data: phones, zones, prefixes, keys and codes.

Each ``normalise_*`` function returns the canonical form of a value or raises Django's
``ValidationError`` with a message that names the field; each ``validate_*`` function is a
plain Django validator usable on model, form and serializer fields.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import tempfile
import time
import zoneinfo
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.name
import gnupg
from django.core.exceptions import ValidationError
from django.core.validators import validate_email as django_validate_email
from django.utils.translation import gettext as _

# ISO 3166-1 alpha-2 officially assigned codes.
_COUNTRY_TEXT = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRY_CODES = frozenset(_COUNTRY_TEXT.split())

# ISO 639-1 codes of the languages a DNS-CERT is likely to meet (extend as needed).
_LANGUAGE_TEXT = """
    af am ar az be bg bn bs ca cs cy da de el en es et eu fa fi fr ga gl gu he hi hr hu hy
    id is it ja ka kk km kn ko ky lb lo lt lv mk ml mn mr ms mt my nb ne nl nn no pa pl ps pt
    ro ru si sk sl so sq sr sv sw ta te tg th tk tl tr uk ur uz vi wo xh yo zh zu
"""
LANGUAGE_CODES = frozenset(_LANGUAGE_TEXT.split())

ASN_MIN = 1
ASN_MAX = 4_294_967_294
RESERVED_ASNS = frozenset({23456, 65535})  # AS_TRANS (RFC 6793) and the reserved 65535
PHONE_SEPARATORS = re.compile(r"[\s\-().]")
LDH_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
FINGERPRINT = re.compile(r"^[0-9A-F]{40}$")


def validate_email(value: str) -> None:
    """Django's e-mail validator, with a message that names the field."""
    try:
        django_validate_email(value)
    except ValidationError:
        raise ValidationError(
            _("e-mail: %(value)r is not a valid e-mail address."), params={"value": value}
        ) from None


def normalise_phone(value: str, field: str = "phone") -> str:
    """Return ``value`` in E.164 (``+`` and 8-15 digits); spaces, dots, hyphens are dropped."""
    text = (value or "").strip()
    if not text:
        return ""
    if re.search(r"[^\d\s\-().+]", text):
        raise ValidationError(
            _("%(field)s: %(value)r contains letters or symbols; use E.164, e.g. +33123456789."),
            params={"field": field, "value": value},
        )
    compact = PHONE_SEPARATORS.sub("", text)
    if not re.fullmatch(r"\+[1-9]\d{7,14}", compact):
        raise ValidationError(
            _("%(field)s: %(value)r is not in E.164 form (+ then 8 to 15 digits)."),
            params={"field": field, "value": value},
        )
    return compact


def validate_phone(value: str) -> None:
    """Validator form of :func:`normalise_phone` (accepts only the canonical form)."""
    if value and normalise_phone(value) != value:
        raise ValidationError(
            _("phone: %(value)r must be written without separators, e.g. +33123456789."),
            params={"value": value},
        )


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    """Require an IANA time zone name such as ``Europe/Paris``."""
    if value not in _time_zones():
        raise ValidationError(
            _("time zone: %(value)r is not an IANA time zone name such as Europe/Paris."),
            params={"value": value},
        )


def normalise_country(value: str) -> str:
    """Return the upper-case ISO 3166-1 alpha-2 code, or '' for none."""
    code = (value or "").strip().upper()
    if code and code not in COUNTRY_CODES:
        raise ValidationError(
            _("country: %(value)r is not an ISO 3166-1 alpha-2 country code."),
            params={"value": value},
        )
    return code


def validate_country(value: str) -> None:
    """Validator form of :func:`normalise_country` (upper case required)."""
    if value and value not in COUNTRY_CODES:
        raise ValidationError(
            _("country: %(value)r is not an ISO 3166-1 alpha-2 country code."),
            params={"value": value},
        )


def normalise_languages(value: Any) -> list[str]:
    """Return a list of lower-case ISO 639-1 codes from a list or a comma/space separated text."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items = [part for part in re.split(r"[\s,;]+", value) if part]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ValidationError(_("languages: expected a list of ISO 639-1 codes."))
    codes: list[str] = []
    for item in items:
        code = str(item).strip().lower()
        if code not in LANGUAGE_CODES:
            raise ValidationError(
                _("languages: %(value)r is not an ISO 639-1 language code."),
                params={"value": item},
            )
        if code not in codes:
            codes.append(code)
    return codes


def validate_languages(value: Any) -> None:
    """Validator form of :func:`normalise_languages`."""
    if normalise_languages(value) != value:
        raise ValidationError(_("languages: expected a list of lower-case ISO 639-1 codes."))


def _to_dns_name(text: str, field: str) -> dns.name.Name:
    try:
        if text.isascii():
            return dns.name.from_text(text.lower())
        return dns.name.from_unicode(text.lower())
    except (dns.exception.DNSException, UnicodeError, ValueError) as error:
        raise ValidationError(
            _("%(field)s: %(value)r is not a valid DNS name (%(reason)s)."),
            params={"field": field, "value": text, "reason": str(error) or type(error).__name__},
        ) from None


def normalise_zone_name(value: str, field: str = "zone", allow_underscore: bool = True) -> str:
    """Return the absolute, lower-case zone name with a trailing dot; IDNs become punycode."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(_("%(field)s: a name is required."), params={"field": field})
    if text == ".":
        return "."
    name = _to_dns_name(text, field)
    for label in name.labels[:-1]:
        label_text = label.decode("ascii", errors="replace")
        if not LDH_LABEL.match(label_text) or (not allow_underscore and "_" in label_text):
            raise ValidationError(
                _("%(field)s: label %(label)r of %(value)r has characters not allowed in a name."),
                params={"field": field, "label": label_text, "value": value},
            )
    return name.to_text().lower()


def normalise_hostname(value: str, field: str = "hostname") -> str:
    """Return a nameserver host name like ``a.root-servers.test.`` (absolute, lower case)."""
    name = normalise_zone_name(value, field=field, allow_underscore=False)
    if name == ".":
        raise ValidationError(_("%(field)s: the root is not a host name."), params={"field": field})
    return name


def validate_zone_name(value: str) -> None:
    """Validator form of :func:`normalise_zone_name`."""
    if normalise_zone_name(value) != value:
        raise ValidationError(
            _("zone: %(value)r must be lower case and end with a dot."), params={"value": value}
        )


def validate_hostname(value: str) -> None:
    """Validator form of :func:`normalise_hostname`."""
    if normalise_hostname(value) != value:
        raise ValidationError(
            _("hostname: %(value)r must be lower case and end with a dot."),
            params={"value": value},
        )


def normalise_prefix(value: str, field: str = "prefix") -> str:
    """Return an IPv4/IPv6 prefix in compressed form; host bits must not be set."""
    try:
        return ipaddress.ip_network((value or "").strip(), strict=True).compressed
    except ValueError as error:
        raise ValidationError(
            _("%(field)s: %(value)r is not a valid IP prefix (%(reason)s)."),
            params={"field": field, "value": value, "reason": str(error)},
        ) from None


def validate_prefix(value: str) -> None:
    """Validator form of :func:`normalise_prefix`."""
    if normalise_prefix(value) != value:
        raise ValidationError(
            _("prefix: %(value)r must be written in compressed form."), params={"value": value}
        )


def normalise_ip_address(value: str, field: str = "addresses") -> str:
    """Return an IPv4 or IPv6 address in compressed form."""
    try:
        return ipaddress.ip_address((value or "").strip()).compressed
    except ValueError:
        raise ValidationError(
            _("%(field)s: %(value)r is not an IP address."), params={"field": field, "value": value}
        ) from None


def normalise_addresses(value: Any) -> list[str]:
    """Return a list of compressed IP addresses from a list or whitespace/comma separated text."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r"[\s,;]+", value) if part]
    if not isinstance(value, list | tuple):
        raise ValidationError(_("addresses: expected a list of IP addresses."))
    return [normalise_ip_address(str(item)) for item in value]


def validate_addresses(value: Any) -> None:
    """Validator form of :func:`normalise_addresses`."""
    if normalise_addresses(value) != value:
        raise ValidationError(_("addresses: expected a list of IP addresses in compressed form."))


def validate_asn(value: int) -> None:
    """Require a public or private 32-bit AS number, excluding 0, AS_TRANS and reserved ones."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(_("asn: %(value)r is not a number."), params={"value": value})
    if not ASN_MIN <= value <= ASN_MAX or value in RESERVED_ASNS:
        raise ValidationError(
            _("asn: %(value)s is outside the usable AS number range (1-4294967294, not 23456)."),
            params={"value": value},
        )


def normalise_asn(value: Any) -> int:
    """Return an AS number from ``64496``, ``"64496"`` or ``"AS64496"``."""
    text = str(value).strip().upper().removeprefix("AS")
    if isinstance(value, bool) or not text.isdigit():
        raise ValidationError(_("asn: %(value)r is not an AS number."), params={"value": value})
    number = int(text)
    validate_asn(number)
    return number


def normalise_fingerprint(value: str, field: str = "pgp_fingerprint") -> str:
    """Return a v4 OpenPGP fingerprint as 40 upper-case hex digits (spaces dropped)."""
    text = re.sub(r"\s+", "", value or "").upper().removeprefix("0X")
    if text and not FINGERPRINT.match(text):
        raise ValidationError(
            _("%(field)s: %(value)r is not a 40-hex-digit OpenPGP fingerprint."),
            params={"field": field, "value": value},
        )
    return text


def validate_fingerprint(value: str) -> None:
    """Validator form of :func:`normalise_fingerprint`."""
    if normalise_fingerprint(value) != value:
        raise ValidationError(
            _("pgp_fingerprint: %(value)r must be 40 upper-case hex digits."),
            params={"value": value},
        )


@dataclass(frozen=True)
class PublicKeyInfo:
    """What the directory keeps from an imported OpenPGP public key."""

    fingerprint: str
    user_ids: tuple[str, ...]
    expires: int | None


def _key_error(message: str) -> ValidationError:
    return ValidationError(_("pgp_key: %(reason)s"), params={"reason": message})


def _import_into_throwaway_keyring(armoured: str) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="dnscert-gpg-", ignore_cleanup_errors=True) as home:
        gpg = gnupg.GPG(gnupghome=home)
        result = gpg.import_keys(armoured)
        if not result.fingerprints:
            raise _key_error(_("no OpenPGP public key could be read from the text."))
        return list(gpg.list_keys())


def inspect_public_key(armoured: str, fingerprint: str = "") -> PublicKeyInfo:
    """Import an ASCII-armoured public key into a throwaway keyring and return its facts.

    Exactly one public key is required; secret keys, expired, revoked or unreadable keys are
    refused, and a supplied ``fingerprint`` must match the key.
    """
    text = (armoured or "").strip()
    if "PRIVATE KEY BLOCK" in text:
        raise _key_error(_("this is a secret key; paste the public key only."))
    if "BEGIN PGP PUBLIC KEY BLOCK" not in text:
        raise _key_error(_("expected an ASCII-armoured OpenPGP public key block."))
    keys = _import_into_throwaway_keyring(text)
    if len(keys) != 1:
        raise _key_error(_("expected exactly one public key, found %d.") % len(keys))
    key = keys[0]
    expires = int(key["expires"]) if key.get("expires") else None
    if key.get("trust") == "r":
        raise _key_error(_("the key has been revoked."))
    if key.get("trust") == "e" or (expires is not None and expires <= time.time()):
        raise _key_error(_("the key has expired."))
    if key.get("trust") == "i":
        raise _key_error(_("the key is invalid."))
    found = str(key["fingerprint"]).upper()
    expected = normalise_fingerprint(fingerprint)
    if expected and expected != found:
        raise ValidationError(
            _("pgp_fingerprint: %(expected)s does not match the key's fingerprint %(found)s."),
            params={"expected": expected, "found": found},
        )
    return PublicKeyInfo(fingerprint=found, user_ids=tuple(key.get("uids", ())), expires=expires)
