"""STIX 2.1 objects of the platform: its identity, the TLP 2.0 markings and indicators.

The five TLP 2.0 marking definitions are the OASIS objects (cti-stix-common-objects,
``extension-definition-specifications/tlp-2.0``), kept verbatim in
``data/tlp2-marking-definitions.json``: the ``stix2`` library only knows TLP 1.0. Object ids
derive from the source and value (:func:`stable_uuid4`), so sharing the same source again
yields the same ids.
"""

from __future__ import annotations

import ipaddress
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import stix2
from django.conf import settings

from dnscert.core.choices import TLP

#: Namespace of the platform's deterministic STIX ids.
NAMESPACE = uuid.UUID("6f0b7f0e-3c43-5a8f-9d0b-8a8e2f6b1c11")
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
_DATA = Path(__file__).parent / "data" / "tlp2-marking-definitions.json"
IDENTITY_CREATED = "2020-01-01T00:00:00.000Z"


@cache
def tlp_markings() -> dict[TLP, dict[str, Any]]:
    """The five OASIS TLP 2.0 marking-definition objects, by label."""
    objects = json.loads(_DATA.read_text(encoding="utf-8"))
    return {TLP.parse(obj["name"]): obj for obj in objects}


def marking_id(label: str) -> str:
    """The id of the TLP 2.0 marking definition of ``label``."""
    return str(tlp_markings()[TLP.parse(label)]["id"])


def label_of_markings(refs: Iterable[str]) -> TLP | None:
    """The most restrictive TLP label among marking ids (TLP 2.0 or the STIX TLP 1.0 ones)."""
    known = {str(obj["id"]): label for label, obj in tlp_markings().items()}
    known.update({str(d.id): TLP.parse(d.definition.tlp) for d in _TLP1})
    found = [known[ref] for ref in refs if ref in known]
    return max(found, key=lambda label: label.rank) if found else None


_TLP1 = (stix2.TLP_WHITE, stix2.TLP_GREEN, stix2.TLP_AMBER, stix2.TLP_RED)


def stable_uuid4(name: str) -> uuid.UUID:
    """A UUID in version-4 form derived from ``name``: stable across runs, and of the version
    STIX 2.1 asks of domain objects (the validator warns on UUIDv5 ids)."""
    return uuid.UUID(bytes=uuid.uuid5(NAMESPACE, name).bytes, version=4)


def platform_identity() -> dict[str, Any]:
    """The identity of the platform, creator of every object it shares."""
    identity = stix2.Identity(
        id=f"identity--{stable_uuid4(settings.SITE_URL)}",
        created=IDENTITY_CREATED,
        modified=IDENTITY_CREATED,
        name=settings.SITE_NAME,
        identity_class="organization",
        sectors=["technology"],
        contact_information=settings.SITE_URL,
    )
    return _as_dict(identity)


def _as_dict(obj: Any) -> dict[str, Any]:
    return dict(json.loads(obj.serialize()))


def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ip_object(value: str) -> str:
    return "ipv6-addr" if ipaddress.ip_address(value).version == 6 else "ipv4-addr"


#: STIX cyber-observable property for each indicator kind the platform shares.
OBSERVABLES: Mapping[str, Any] = {
    "domain": lambda value: "domain-name:value",
    "nameserver": lambda value: "domain-name:value",
    "ip": lambda value: f"{_ip_object(value)}:value",
    "url": lambda value: "url:value",
    "email": lambda value: "email-addr:value",
}


def pattern(kind: str, value: str) -> str | None:
    """The STIX pattern of one indicator, or None for kinds with no observable."""
    path = OBSERVABLES.get(kind)
    return None if path is None else f"[{path(value)} = {_literal(value)}]"


def stix_time(moment: datetime) -> str:
    """A STIX timestamp in UTC with millisecond precision."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def indicator(
    *,
    source_key: str,
    item: Mapping[str, str],
    tlp: str,
    name: str,
    labels: list[str],
    description: str = "",
) -> dict[str, Any] | None:
    """One STIX indicator for ``item`` (``kind``, ``value``, ``seen``), marked with ``tlp``."""
    expression = pattern(item["kind"], item["value"])
    if expression is None:
        return None
    seen = item["seen"]
    key = "|".join((source_key, item["kind"], item["value"]))
    obj = stix2.Indicator(
        id=f"indicator--{stable_uuid4(key)}",
        created=seen,
        modified=seen,
        created_by_ref=platform_identity()["id"],
        name=f"{name}: {item['value']}"[:250],
        description=description or name,
        indicator_types=["malicious-activity"],
        labels=labels or ["dnscert"],
        pattern=expression,
        pattern_type="stix",
        pattern_version="2.1",
        valid_from=seen,
        object_marking_refs=[marking_id(tlp)],
    )
    return _as_dict(obj)


def bundle(objects: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A STIX 2.1 bundle of ``objects`` (already serialised)."""
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(objects)}


def version_of(obj: Mapping[str, Any]) -> str:
    """The TAXII version of an object: ``modified``, else ``created``, else the epoch."""
    return str(obj.get("modified") or obj.get("created") or "1970-01-01T00:00:00.000Z")
