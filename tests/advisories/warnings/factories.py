"""Factories of the warning tests: drafts and warnings raised through the service."""

from __future__ import annotations

import itertools
from typing import Any

from dnscert.advisories.warnings import services
from dnscert.advisories.warnings.models import Warning
from dnscert.core.choices import TLP, Severity
from dnscert.directory.models import Organisation

_numbers = itertools.count(1)


def draft(org: Organisation, **fields: Any) -> services.Draft:
    """A draft for ``org`` with a fresh deduplication key unless one is given."""
    values: dict[str, Any] = {
        "organisation": org,
        "title": "Signatures of xa. expire in 2 days",
        "body": "Re-sign the zone.",
        "severity": Severity.HIGH,
        "tlp": TLP.AMBER,
        "dedupe_key": f"test:{next(_numbers)}",
        "tlds": ["xa"],
    }
    values.update(fields)
    return services.Draft(**values)


def warn(org: Organisation, rule: str = "dnshealth.rrsig_expiry", **fields: Any) -> Warning:
    """Raise a warning for ``org`` under ``rule``; fails when nothing is raised."""
    warning = services.raise_warning(rule, draft(org, **fields))
    assert warning is not None
    return warning
