"""SPF version 1 policy syntax (RFC 7208 section 4.5 onwards ABNF), for ZONE11.

``is_spf_record`` tells an SPF TXT record apart; ``spf_syntax_ok`` checks a whole policy
against the grammar: terms separated by spaces, mechanisms with their optional domain-spec
and CIDR lengths, modifiers (``redirect``/``exp`` at most once), macro strings.
"""

from __future__ import annotations

import ipaddress
import re

_ALPHANUM = "[A-Za-z0-9]"
_TOPLABEL = rf"(?:{_ALPHANUM}*[A-Za-z]{_ALPHANUM}*|{_ALPHANUM}+-[A-Za-z0-9-]*{_ALPHANUM})"
_MACRO_EXPAND = r"(?:%\{[slodiphcrtvSLODIPHCRTV][0-9]*[rR]?[.\-+,/_=]*\}|%%|%_|%-)"
_MACRO_LITERAL = r"[\x21-\x24\x26-\x7e]"
_MACRO_STRING = rf"(?:{_MACRO_EXPAND}|{_MACRO_LITERAL})*"
_DOMAIN_END = rf"(?:\.{_TOPLABEL}\.?|{_MACRO_EXPAND})"
_DOMAIN_SPEC = rf"{_MACRO_STRING}{_DOMAIN_END}"
_IP4_CIDR = r"/(?:[0-9]|[12][0-9]|3[0-2])"
_IP6_CIDR = r"/(?:[0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])"
_DUAL_CIDR = rf"(?:{_IP4_CIDR})?(?:/{_IP6_CIDR})?"

_MECHANISMS = {
    "all": re.compile(r"all", re.IGNORECASE),
    "include": re.compile(rf"include:{_DOMAIN_SPEC}", re.IGNORECASE),
    "a": re.compile(rf"a(?::{_DOMAIN_SPEC})?{_DUAL_CIDR}", re.IGNORECASE),
    "mx": re.compile(rf"mx(?::{_DOMAIN_SPEC})?{_DUAL_CIDR}", re.IGNORECASE),
    "ptr": re.compile(rf"ptr(?::{_DOMAIN_SPEC})?", re.IGNORECASE),
    "exists": re.compile(rf"exists:{_DOMAIN_SPEC}", re.IGNORECASE),
}
_IP_MECHANISM = re.compile(r"(ip4|ip6):([^/]+)(/\d+)?", re.IGNORECASE)
_MODIFIER = re.compile(rf"([A-Za-z][A-Za-z0-9\-_.]*)=({_MACRO_STRING})")
_DOMAIN_SPEC_RE = re.compile(_DOMAIN_SPEC)


def is_spf_record(text: str) -> bool:
    """An SPF TXT record: ``v=spf1`` alone or followed by a space (any case)."""
    lowered = text.lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def _ip_mechanism_ok(match: re.Match[str]) -> bool:
    kind, address, cidr = match.group(1).lower(), match.group(2), match.group(3)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if (kind == "ip4") != (ip.version == 4):
        return False
    if cidr is None:
        return True
    length = cidr[1:]
    limit = 32 if kind == "ip4" else 128
    return (length == "0" or not length.startswith("0")) and int(length) <= limit


def _directive_ok(term: str) -> bool:
    body = term[1:] if term[:1] in "+-?~" else term
    if not body:
        return False
    ip_match = _IP_MECHANISM.fullmatch(body)
    if ip_match is not None:
        return _ip_mechanism_ok(ip_match)
    return any(pattern.fullmatch(body) for pattern in _MECHANISMS.values())


def spf_syntax_ok(policy: str) -> bool:
    """True when ``policy`` (``v=spf1 ...``) follows the RFC 7208 grammar."""
    if not is_spf_record(policy):
        return False
    rest = policy[len("v=spf1") :]
    if rest and not rest.startswith(" "):
        return False
    seen_modifiers: set[str] = set()
    for term in rest.split(" "):
        if not term:
            continue
        modifier = _MODIFIER.fullmatch(term)
        if modifier is not None and not _directive_ok(term):
            name = modifier.group(1).lower()
            if name in ("redirect", "exp"):
                if name in seen_modifiers or not _DOMAIN_SPEC_RE.fullmatch(modifier.group(2)):
                    return False
                seen_modifiers.add(name)
            continue
        if not _directive_ok(term):
            return False
    return True
