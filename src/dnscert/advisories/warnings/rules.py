"""The warning rules, declared once in code; staff tune each one with a :class:`RuleSetting`.

A rule names the kind of warning it raises, its defaults (enabled, staff review required,
rate limit per organisation per hour), how long a repeated condition stays quiet
(``dedupe_hours``) and whether an organisation without any subscription still gets it by
e-mail to its 24x7 contacts (``default_delivery``). To add a rule, add one entry to
:data:`RULES` and a producer that builds its drafts (see ``producers.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dnscert.advisories.warnings.choices import WarningKind
from dnscert.advisories.warnings.models import RuleSetting
from dnscert.core import audit
from dnscert.core.exceptions import InvalidInput


@dataclass(frozen=True)
class Rule:
    """One declared rule and its defaults."""

    name: str
    kind: str
    label: str | Promise
    enabled: bool = True
    review_required: bool = False
    rate_limit: int = 10
    dedupe_hours: int = 24
    default_delivery: bool = True


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("dnshealth.zone_state", WarningKind.DNS_HEALTH, _("DNS health state changes"),
             dedupe_hours=6),
        Rule("dnshealth.delegation_change", WarningKind.DELEGATION_CHANGE,
             _("Unexpected delegation changes"), dedupe_hours=1),
        Rule("dnshealth.rrsig_expiry", WarningKind.RRSIG_EXPIRY,
             _("RRSIG expiry horizon"), dedupe_hours=48),
        Rule("intel.concentration", WarningKind.INTEL_CONCENTRATION,
             _("Abuse concentration alerts handed over"), review_required=True,
             default_delivery=False, dedupe_hours=24 * 7),
        Rule("intel.dga_list", WarningKind.DGA_LIST, _("DGA domain lists for a registry"),
             default_delivery=False, dedupe_hours=24 * 30),
        Rule("advisories.published", WarningKind.ADVISORY, _("Published advisories"),
             rate_limit=100, dedupe_hours=24 * 365),
        Rule("advisories.vendor", WarningKind.VENDOR_ADVISORY,
             _("Published advisories about vendors' products"), rate_limit=100,
             dedupe_hours=24 * 365),
    )
}  # fmt: skip


def get_rule(name: str) -> Rule:
    """The rule called ``name``, or a clear error listing the known ones."""
    try:
        return RULES[name]
    except KeyError:
        known = ", ".join(sorted(RULES))
        raise InvalidInput("rule", f"unknown rule {name!r} (known rules: {known})") from None


def setting_of(name: str) -> RuleSetting:
    """The staff settings of rule ``name``, created from the rule's defaults on first use."""
    rule = get_rule(name)
    setting, _created = RuleSetting.objects.get_or_create(
        rule=rule.name,
        defaults={
            "enabled": rule.enabled,
            "review_required": rule.review_required,
            "rate_limit": rule.rate_limit,
        },
    )
    return setting


def all_settings() -> list[tuple[Rule, RuleSetting]]:
    """Every rule with its settings, in declaration order."""
    return [(rule, setting_of(rule.name)) for rule in RULES.values()]


def update_setting(name: str, *, by: Any, **values: Any) -> RuleSetting:
    """Change ``enabled``, ``review_required`` or ``rate_limit`` of rule ``name``; audited."""
    setting = setting_of(name)
    allowed = {"enabled", "review_required", "rate_limit"}
    unknown = set(values) - allowed
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "not a rule setting")
    if "rate_limit" in values and (
        not isinstance(values["rate_limit"], int) or not 1 <= values["rate_limit"] <= 10_000
    ):
        raise InvalidInput("rate_limit", "give a whole number from 1 to 10000")
    before = audit.snapshot(setting, sorted(allowed))
    for field, value in values.items():
        setattr(setting, field, value)
    setting.updated_by = by if getattr(by, "is_authenticated", False) else None
    setting.save()
    changes = audit.changes_between(before, audit.snapshot(setting, sorted(allowed)))
    audit.record(by, audit.Action.UPDATE, setting, changes=changes)
    return setting
