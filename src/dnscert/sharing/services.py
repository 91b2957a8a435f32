"""Sharing actions: share a source, withdraw a share, accept TAXII uploads, auto-share.

Each action is atomic and writes an audit row. Sharing a source again brings its objects in
line with the source: new indicators are added (with a new ``date_added``), those no longer
in the source or no longer addressed to a collection are removed, unchanged ones keep their
``date_added`` so TAXII clients polling with ``added_after`` do not see them twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import stix2
from django.db import transaction
from django.utils import timezone

from dnscert.core import audit
from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.incidents.models import Incident
from dnscert.intel.models import Feed
from dnscert.intel.patterns.models import RegistryList
from dnscert.sharing import audiences, conf, sources, stix
from dnscert.sharing.audiences import Collection
from dnscert.sharing.models import Share, SharedObject, UploadStatus

SUPPORT_TYPES = ("identity", "marking-definition")


def _row(collection: Collection, obj: Mapping[str, Any], share: Share | None) -> SharedObject:
    return SharedObject(
        share=share,
        collection=collection.id,
        audience=collection.audience,
        organisation=collection.organisation,
        stix_id=obj["id"],
        stix_type=obj["type"],
        version=stix.version_of(obj),
        payload=dict(obj),
        tlp=share.tlp if share is not None else collection.tlp,
    )


def _store(rows: list[SharedObject]) -> list[SharedObject]:
    created = SharedObject.objects.bulk_create(rows, batch_size=1000)
    amber = [row for row in created if row.organisation_id is not None]
    through = SharedObject.recipient_organisations.through
    through._default_manager.bulk_create(
        [through(sharedobject_id=row.pk, organisation_id=row.organisation_id) for row in amber],
        batch_size=1000,
    )
    return created


def _existing(collection: Collection) -> set[tuple[str, str]]:
    rows = SharedObject.objects.filter(collection=collection.id)
    return set(rows.values_list("stix_id", "version"))


def ensure_support_objects(collection: Collection, tlp: TLP) -> int:
    """Put the platform identity and the TLP marking definition in ``collection``."""
    wanted = [stix.platform_identity(), stix.tlp_markings()[tlp]]
    present = _existing(collection)
    rows = [
        _row(collection, obj, None)
        for obj in wanted
        if (obj["id"], stix.version_of(obj)) not in present
    ]
    return len(_store(rows))


def _indicators(source: sources.Source) -> list[dict[str, Any]]:
    built = (
        stix.indicator(
            source_key=source.key,
            item=item,
            tlp=source.tlp,
            name=source.title,
            labels=source.labels,
            description=source.description,
        )
        for item in source.items
    )
    return [obj for obj in built if obj is not None]


def _sync_objects(share: Share, source: sources.Source) -> int:
    targets = audiences.for_label(source.tlp, source.organisations)
    objects = _indicators(source)
    keep_ids = {obj["id"] for obj in objects}
    share.stix_objects.exclude(collection__in=[c.id for c in targets]).delete()
    share.stix_objects.exclude(stix_id__in=keep_ids).delete()
    share.stix_objects.exclude(tlp=source.tlp).delete()
    added = 0
    for collection in targets:
        ensure_support_objects(collection, source.tlp)
        present = _existing(collection)
        rows = [
            _row(collection, obj, share)
            for obj in objects
            if (obj["id"], stix.version_of(obj)) not in present
        ]
        added += len(_store(rows))
    return added


def _upsert_share(source: sources.Source, by: Any) -> tuple[Share, bool]:
    share = Share.objects.filter(source_key=source.key).first()
    created = share is None
    share = share or Share(source_key=source.key, source_kind=source.kind, shared_by=by)
    share.title = source.title[:300]
    share.description = source.description
    share.severity = source.severity
    share.labels = source.labels
    share.items = source.items
    share.tlp = source.tlp.value
    share.incident = source.incident
    share.registry_list = source.registry_list
    share.updated_at = timezone.now()
    share.save()
    share.recipient_organisations.set(source.organisations if source.tlp.rank >= 2 else [])
    return share, created


@transaction.atomic
def share_source(source: sources.Source, *, by: Any) -> Share:
    """Share ``source`` (or bring an earlier share of it up to date) and audit it."""
    audiences.for_label(source.tlp, source.organisations)  # refuses RED before writing
    share, created = _upsert_share(source, by)
    added = _sync_objects(share, source)
    action = audit.Action.CREATE if created else audit.Action.UPDATE
    audit.record(by, action, share, changes={**sources.describe(source), "objects_added": added})
    return share


def share_incident(incident: Incident, *, by: Any, tlp: str | None = None) -> Share:
    """Share the indicators of ``incident`` under its TLP label (or ``tlp`` when given)."""
    return share_source(sources.from_incident(incident, tlp), by=by)


def share_registry_list(registry_list: RegistryList, *, by: Any, tlp: str | None = None) -> Share:
    """Share the domains of a DGA registry list under its label (or ``tlp`` when given)."""
    return share_source(sources.from_registry_list(registry_list, tlp), by=by)


def share_intel(
    *, feed: Feed, day: date, by: Any, classification_type: str = "", tlp: str | None = None
) -> Share:
    """Share the indicators of one feed's events of one day."""
    source = sources.from_intel(
        feed=feed, day=day, classification_type=classification_type, tlp=tlp
    )
    return share_source(source, by=by)


@transaction.atomic
def unshare(share: Share, *, by: Any) -> None:
    """Withdraw ``share``: its objects leave every collection and the MISP feeds."""
    audit.record(by, audit.Action.DELETE, share, changes={"source": share.source_key})
    share.delete()


def auto_share() -> list[Share]:
    """When DNSCERT_SHARING_AUTO is on, share CLEAR/GREEN incidents and DGA lists."""
    if not conf.auto_share():
        return []
    shared = []
    labels = [TLP.CLEAR, TLP.GREEN]
    for incident in Incident.objects.filter(tlp__in=labels, indicators__isnull=False).distinct():
        shared.append(_quietly(lambda i=incident: share_incident(i, by=None)))
    for registry_list in RegistryList.objects.filter(tlp__in=labels, domain_count__gt=0):
        shared.append(_quietly(lambda r=registry_list: share_registry_list(r, by=None)))
    return [share for share in shared if share is not None]


def _quietly(action: Any) -> Share | None:
    try:
        return action()  # type: ignore[no-any-return]
    except InvalidInput:
        return None  # nothing to share (no observable) or too large: staff decide


# --- TAXII uploads ---------------------------------------------------------------------------


def _check_object(obj: Any, collection: Collection) -> str:
    """An empty string when ``obj`` may enter ``collection``, else the reason it may not."""
    if not isinstance(obj, dict):
        return "an object must be a JSON object"
    for name in ("type", "id", "spec_version"):
        if not isinstance(obj.get(name), str):
            return f"missing or non-text property {name!r}"
    if obj["spec_version"] != "2.1":
        return "spec_version must be '2.1'"
    try:
        stix2.parse(obj, allow_custom=True, version="2.1")
    except Exception as error:  # the library raises many kinds; the text names the problem
        return f"not valid STIX 2.1: {error}"
    label = stix.label_of_markings(obj.get("object_marking_refs") or [])
    if label is not None and label.rank > collection.tlp.rank:
        limit = collection.tlp.label_text
        return f"marked {label.label_text}, more restricted than this {limit} collection"
    return ""


@transaction.atomic
def add_uploaded_objects(
    collection: Collection, objects: Iterable[Any], *, by: Any
) -> UploadStatus:
    """Store the objects of a TAXII envelope in ``collection``; returns the status resource."""
    status = UploadStatus(collection=collection.id, requested_by=by)
    present = _existing(collection)
    rows = []
    for obj in objects:
        problem = _check_object(obj, collection)
        identity = obj.get("id", "") if isinstance(obj, dict) else ""
        version = stix.version_of(obj) if isinstance(obj, dict) else ""
        if problem:
            status.failures.append({"id": str(identity), "version": version, "message": problem})
            continue
        if (identity, version) not in present:
            row = _row(collection, obj, None)
            row.uploaded_by = by if getattr(by, "is_authenticated", False) else None
            rows.append(row)
            present.add((identity, version))
        status.successes.append({"id": identity, "version": version})
    _store(rows)
    status.save()
    audit.record(
        by,
        audit.Action.IMPORT,
        None,
        object_repr=f"TAXII upload to {collection.title}",
        tlp=collection.tlp,
        changes={"accepted": len(status.successes), "refused": len(status.failures)},
    )
    return status
