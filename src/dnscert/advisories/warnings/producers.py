"""Producers: each turns one source object into the drafts of one rule.

A producer only reads its source; :mod:`dnscert.advisories.warnings.services` decides
(de-duplication, rate limit, review) and delivers. Sources: DNS health signals, intel
concentration alerts handed over, DGA registry lists sent, published advisories.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dnscert.advisories.warnings.services import Draft
from dnscert.core.choices import TLP, Severity
from dnscert.dnshealth.choices import SignalKind, TargetKind
from dnscert.dnshealth.models import Signal
from dnscert.dnshealth.signals import EXPIRES_SOON_TAG
from dnscert.intel.patterns.models import ConcentrationAlert, RegistryList

#: Days of signature validity left at or below which an expiry warning is rated high.
URGENT_EXPIRY_DAYS = 2.0
#: DNS health findings are about one organisation's zone: AMBER (the organisation and its
#: clients who need to know).
DNS_HEALTH_TLP = TLP.AMBER

RULE_OF_SIGNAL = {
    SignalKind.ZONE_BROKEN: "dnshealth.zone_state",
    SignalKind.ZONE_RECOVERED: "dnshealth.zone_state",
    SignalKind.RSSAC047_BELOW_THRESHOLD: "dnshealth.zone_state",
    SignalKind.DELEGATION_CHANGED: "dnshealth.delegation_change",
    SignalKind.RRSIG_EXPIRING: "dnshealth.rrsig_expiry",
}


def tld_of(name: str) -> str:
    """The TLD of a zone name: ``xa`` for ``shop.xa.``; empty for the root."""
    labels = [label for label in name.lower().strip(".").split(".") if label]
    return labels[-1] if labels else ""


# --- DNS health -----------------------------------------------------------------------------


def _expiry_rows(signal: Signal) -> list[dict[str, Any]]:
    rows = []
    for row in signal.details.get("messages", []):
        if len(row) > 3 and row[1] == EXPIRES_SOON_TAG and isinstance(row[3], dict):
            rows.append(row[3])
    return rows


def _days_left(signal: Signal) -> float | None:
    days = [float(row["days_left"]) for row in _expiry_rows(signal) if "days_left" in row]
    return min(days) if days else None


def _rrsig_text(signal: Signal) -> tuple[str, str, str]:
    name = signal.target.name
    days = _days_left(signal)
    if days is None:
        title = _("Signatures of %(name)s expire soon") % {"name": name}
        return title, title, signal.severity
    title = _("Signatures of %(name)s expire in %(days)s days") % {"name": name, "days": days}
    lines = [title, ""]
    for row in _expiry_rows(signal):
        lines.append(
            _("%(rrtype)s signatures expire at %(expiration)s")
            % {"rrtype": row.get("rrtype", "?"), "expiration": row.get("expiration", "?")}
        )
    lines += ["", _("Re-sign the zone before the signatures expire, or it will fail to validate.")]
    severity = Severity.HIGH if days <= URGENT_EXPIRY_DAYS else signal.severity
    return title, "\n".join(lines), severity


def _delegation_text(signal: Signal) -> tuple[str, str, str]:
    details = signal.details
    title = _("The delegation of %(name)s changed") % {"name": signal.target.name}
    body = "\n".join(
        [
            title,
            "",
            _("Old name servers: %(ns)s") % {"ns": ", ".join(details.get("old_ns", []))},
            _("New name servers: %(ns)s") % {"ns": ", ".join(details.get("new_ns", []))},
            _("Reasons: %(reasons)s") % {"reasons": ", ".join(details.get("reasons", []))},
            "",
            _("If you did not plan this change, your domain may have been hijacked."),
        ]
    )
    return title, body, signal.severity


def _state_text(signal: Signal) -> tuple[str, str, str]:
    title = signal.summary
    errors = [f"{row[0]} {row[1]}" for row in signal.details.get("errors", []) if len(row) > 1]
    body = "\n".join([title, "", *errors]) if errors else title
    return title, body, signal.severity


def from_signal(signal: Signal) -> tuple[str, list[Draft]]:
    """The rule and draft for a DNS health signal: one warning to the zone's organisation."""
    rule = RULE_OF_SIGNAL[SignalKind(signal.kind)]
    texts = {
        SignalKind.RRSIG_EXPIRING: _rrsig_text,
        SignalKind.DELEGATION_CHANGED: _delegation_text,
    }
    title, body, severity = texts.get(SignalKind(signal.kind), _state_text)(signal)
    target = signal.target
    draft = Draft(
        organisation=signal.organisation,
        title=title,
        body=body,
        severity=severity,
        tlp=DNS_HEALTH_TLP,
        dedupe_key=f"dnshealth:{signal.dedupe_key}",
        tlds=[] if target.kind == TargetKind.ROOT else [tld_of(target.name)],
        source=signal,
    )
    return rule, [draft]


# --- intel ----------------------------------------------------------------------------------


def from_alert(alert: ConcentrationAlert) -> tuple[str, list[Draft]]:
    """The draft for a concentration alert handed over to its organisation."""
    if alert.organisation is None:
        return "intel.concentration", []
    title = _("Abuse concentrated at %(label)s: %(share)s%% of new abusive registrations") % {
        "label": alert.label,
        "share": round(alert.share, 1),
    }
    body = "\n".join(
        [
            title,
            "",
            _("Window: %(start)s to %(end)s")
            % {"start": alert.window_start, "end": alert.window_end},
            _("Baseline share: %(share)s%%") % {"share": round(alert.baseline_share, 1)},
            _("New abusive domains: %(count)s") % {"count": alert.new_domains},
            _("The domain list was sent to your 24x7 contacts."),
        ]
    )
    severity = Severity.HIGH if alert.share >= 50 else Severity.MEDIUM
    tlds = [alert.key] if alert.dimension == "tld" else []
    draft = Draft(
        alert.organisation, title, body, severity, alert.tlp, f"concentration:{alert.pk}", tlds,
        source=alert,
    )  # fmt: skip
    return "intel.concentration", [draft]


def from_registry_list(registry_list: RegistryList) -> tuple[str, list[Draft]]:
    """The draft for a DGA domain list sent to a TLD registry."""
    if registry_list.organisation is None:
        return "intel.dga_list", []
    campaign = registry_list.campaign
    title = _("DGA domains under .%(tld)s to block or pre-register: %(count)s (%(family)s)") % {
        "tld": registry_list.tld,
        "count": registry_list.domain_count,
        "family": campaign.family,
    }
    body = "\n".join(
        [
            title,
            "",
            _("Dates: %(start)s to %(end)s")
            % {"start": campaign.start_date, "end": campaign.end_date},
            _("The list was sent to your 24x7 contacts as a CSV file."),
        ]
    )
    draft = Draft(
        registry_list.organisation, title, body, Severity.HIGH, registry_list.tlp,
        f"dga:{registry_list.pk}", [registry_list.tld], source=registry_list,
    )  # fmt: skip
    return "intel.dga_list", [draft]
