"""Taxonomy expert: map feed-specific types to RSIT ``classification.taxonomy``/``type``.

RSIT is the Reference Security Incident Taxonomy (ENISA / TF-CSIRT, machine-readable as the
MISP ``rsit`` taxonomy). IntelMQ uses the same vocabulary plus a few types of its own (e.g.
``dga-domain``, ``blocklist``, ``proxy``, ``tor``), which we file under the ``other`` class
as IntelMQ does. The expert:

* rewrites known aliases (``malware_download``, ``botnet_cc``, ``openresolver``...) to the
  RSIT type and keeps the feed's word in ``classification.identifier`` if none is set;
* sets ``classification.taxonomy`` from the type;
* maps an unknown type to ``other``/``undetermined`` and keeps the original in
  ``extra.original_type``, so nothing is lost.
"""

from __future__ import annotations

from functools import lru_cache

from dnscert.intel.schema import Event

RSIT: dict[str, tuple[str, ...]] = {
    "abusive-content": ("spam", "harmful-speech", "violence"),
    "malicious-code": (
        "infected-system",
        "c2-server",
        "malware-distribution",
        "malware-configuration",
    ),
    "information-gathering": ("scanner", "sniffing", "social-engineering"),
    "intrusion-attempts": ("ids-alert", "brute-force", "exploit"),
    "intrusions": (
        "privileged-account-compromise",
        "unprivileged-account-compromise",
        "application-compromise",
        "system-compromise",
        "burglary",
    ),
    "availability": ("dos", "ddos", "misconfiguration", "sabotage", "outage"),
    "information-content-security": (
        "unauthorised-information-access",
        "unauthorised-information-modification",
        "data-loss",
        "data-leak",
    ),
    "fraud": ("unauthorised-use-of-resources", "copyright", "masquerade", "phishing"),
    "vulnerable": (
        "weak-crypto",
        "ddos-amplifier",
        "potentially-unwanted-accessible",
        "information-disclosure",
        "vulnerable-system",
    ),
    "other": ("other", "undetermined", "dga-domain", "blocklist", "proxy", "tor", "malware"),
    "test": ("test",),
}
"""RSIT classes and their types (plus IntelMQ's extra types under ``other``)."""

TAXONOMY_OF_TYPE: dict[str, str] = {
    type_: taxonomy for taxonomy, types in RSIT.items() for type_ in types
}
"""The RSIT class of every known type."""

ALIASES: dict[str, str] = {
    "malware_download": "malware-distribution",
    "malware-download": "malware-distribution",
    "malware distribution": "malware-distribution",
    "botnet_cc": "c2-server",
    "botnet c&c": "c2-server",
    "c2": "c2-server",
    "c&c": "c2-server",
    "botnet drone": "infected-system",
    "botnet": "infected-system",
    "infected system": "infected-system",
    "sinkhole": "infected-system",
    "phish": "phishing",
    "openresolver": "ddos-amplifier",
    "open-resolver": "ddos-amplifier",
    "open resolver": "ddos-amplifier",
    "blacklist": "blocklist",
    "dga domain": "dga-domain",
    "dga": "dga-domain",
    "scan": "scanner",
    "bruteforce": "brute-force",
    "pharming": "masquerade",
    "unknown": "undetermined",
}
"""Feed words for a type, lower case, to the RSIT (or IntelMQ) type."""

XARF_TO_RSIT: dict[tuple[str, str], str] = {
    ("messaging", "spam"): "spam",
    ("messaging", "bulk_messaging"): "spam",
    ("content", "phishing"): "phishing",
    ("content", "malware"): "malware-distribution",
    ("content", "fraud"): "masquerade",
    ("content", "brand_infringement"): "masquerade",
    ("content", "suspicious_registration"): "masquerade",
    ("content", "csam"): "violence",
    ("content", "csem"): "violence",
    ("content", "remote_compromise"): "system-compromise",
    ("content", "exposed_data"): "data-leak",
    ("copyright", "copyright"): "copyright",
    ("copyright", "cyberlocker"): "copyright",
    ("copyright", "link_site"): "copyright",
    ("copyright", "p2p"): "copyright",
    ("copyright", "ugc_platform"): "copyright",
    ("copyright", "usenet"): "copyright",
    ("connection", "ddos"): "ddos",
    ("connection", "infected_host"): "infected-system",
    ("connection", "login_attack"): "brute-force",
    ("connection", "port_scan"): "scanner",
    ("connection", "reconnaissance"): "scanner",
    ("connection", "scraping"): "scanner",
    ("connection", "sql_injection"): "exploit",
    ("connection", "vulnerability_scan"): "scanner",
    ("infrastructure", "botnet"): "infected-system",
    ("infrastructure", "compromised_server"): "system-compromise",
    ("vulnerability", "cve"): "vulnerable-system",
    ("vulnerability", "open_service"): "ddos-amplifier",
    ("vulnerability", "misconfiguration"): "vulnerable-system",
    ("reputation", "blocklist"): "blocklist",
    ("reputation", "threat_intelligence"): "undetermined",
}
"""Every X-ARF v4 category/type pair (from the ``xarf`` schemas) to an RSIT type."""


@lru_cache(maxsize=4096)
def classify(feed_type: str) -> tuple[str, str, bool]:
    """``(taxonomy, type, known)`` of a feed's type word; unknown: ``other/undetermined``."""
    word = feed_type.strip().lower()
    type_ = ALIASES.get(word, word)
    taxonomy = TAXONOMY_OF_TYPE.get(type_)
    if taxonomy is None:
        return "other", "undetermined", False
    return taxonomy, type_, True


class TaxonomyExpert:
    """Sets ``classification.taxonomy`` and an RSIT ``classification.type`` on every event."""

    name = "taxonomy"

    def __call__(self, event: Event) -> Event:
        """The event with its classification mapped to RSIT."""
        original = str(event.get("classification.type") or "undetermined")
        taxonomy, type_, known = classify(original)
        if not known:
            event.setdefault("extra", {})["original_type"] = original
        elif type_ != original and "classification.identifier" not in event:
            event["classification.identifier"] = original.lower()
        event["classification.taxonomy"] = taxonomy
        event["classification.type"] = type_
        return event
