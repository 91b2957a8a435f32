"""Incident categories: the RSIT types plus the DNS-specific kinds a DNS-CERT handles.

The Reference Security Incident Taxonomy (RSIT, ENISA / TF-CSIRT) list is the one the intel
app's taxonomy expert keeps (:data:`dnscert.intel.experts.taxonomy.RSIT`), so feed events and
incidents speak the same vocabulary. RSIT words are a shared standard and stay in English;
the DNS kinds are ours and translated. Each DNS kind also maps to the RSIT class and type it
falls under, so statistics and exports can fold everything into RSIT.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.experts.taxonomy import RSIT

#: The RSIT classes an incident can be filed under (IntelMQ's feed-only words left out).
RSIT_CLASSES: dict[str, tuple[str, ...]] = {
    taxonomy: types for taxonomy, types in RSIT.items() if taxonomy not in {"test"}
}
_FEED_ONLY_TYPES = frozenset({"blocklist", "proxy", "tor", "dga-domain", "malware"})

#: DNS-specific kinds: value -> (label, RSIT class, RSIT type).
DNS_KINDS: dict[str, tuple[Promise, str, str]] = {
    "delegation-hijack": (_("Delegation hijack"), "intrusions", "system-compromise"),
    "registration-account-compromise": (
        _("Registrar or registry account compromise"),
        "intrusions",
        "privileged-account-compromise",
    ),
    "cache-poisoning": (
        _("Cache poisoning"),
        "information-content-security",
        "unauthorised-information-modification",
    ),
    "dns-ddos": (_("DNS DDoS"), "availability", "ddos"),
    "dnssec-failure": (_("DNSSEC failure"), "availability", "misconfiguration"),
    "dga-botnet": (_("DGA botnet"), "malicious-code", "c2-server"),
    "registration-abuse-campaign": (
        _("Phishing or malware campaign abusing registrations"),
        "fraud",
        "phishing",
    ),
}

DNS_GROUP = _("DNS")


def _rsit_label(word: str) -> str:
    return word.replace("-", " ").capitalize()


def rsit_types() -> list[tuple[str, str]]:
    """``(type, class)`` of every RSIT type an incident may carry."""
    return [
        (type_, taxonomy)
        for taxonomy, types in RSIT_CLASSES.items()
        for type_ in types
        if type_ not in _FEED_ONLY_TYPES
    ]


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for forms: the DNS kinds first, then one group per RSIT class."""
    groups: list[tuple[str, list[tuple[str, str]]]] = [
        (str(DNS_GROUP), [(value, str(label)) for value, (label, _c, _t) in DNS_KINDS.items()])
    ]
    by_class: dict[str, list[tuple[str, str]]] = {}
    for type_, taxonomy in rsit_types():
        by_class.setdefault(taxonomy, []).append((type_, _rsit_label(type_)))
    groups += [(f"RSIT: {_rsit_label(name)}", items) for name, items in by_class.items()]
    return groups


def flat_choices() -> list[tuple[str, str]]:
    """Every category as ``(value, label)``."""
    return [item for _group, items in category_choices() for item in items]


CATEGORY_VALUES: frozenset[str] = frozenset(
    [*DNS_KINDS, *(type_ for type_, _taxonomy in rsit_types())]
)


def is_dns_kind(category: str) -> bool:
    """True for a DNS-specific kind, False for a plain RSIT type."""
    return category in DNS_KINDS


def label(category: str) -> str:
    """The display label of ``category`` (the value itself when unknown)."""
    if category in DNS_KINDS:
        return str(DNS_KINDS[category][0])
    return _rsit_label(category) if category in CATEGORY_VALUES else category


def rsit_of(category: str) -> tuple[str, str]:
    """The RSIT ``(class, type)`` a category falls under."""
    if category in DNS_KINDS:
        _label, taxonomy, type_ = DNS_KINDS[category]
        return taxonomy, type_
    for type_, taxonomy in rsit_types():
        if type_ == category:
            return taxonomy, type_
    return "other", "undetermined"


def parse_category(value: str) -> str:
    """The category ``value`` names (any case, spaces or underscores for dashes)."""
    text = (value or "").strip().lower().replace("_", "-").replace(" ", "-")
    if text.startswith("dns:"):
        text = text[4:]
    if text not in CATEGORY_VALUES:
        raise InvalidInput(
            "category",
            f"unknown category {value!r}; use an RSIT type (e.g. phishing) or a DNS kind "
            f"({', '.join(DNS_KINDS)})",
        )
    return text
