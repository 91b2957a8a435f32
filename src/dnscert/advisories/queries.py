"""Who reads which advisory, and in which language: the one place views and the API ask.

Core staff see every advisory in every status. Everyone else sees only advisories that were
released (``current_release >= 1``), through :func:`dnscert.core.visibility.visible`, plus
those addressed to their organisation by audience (kinds, TLDs, products): TLP:GREEN, AMBER
and AMBER+STRICT advisories reach the matched organisations (AMBER also their clients);
TLP:RED only named recipients. Readers see the last released text, never a draft revision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from dnscert.advisories.choices import AdvisoryStatus
from dnscert.advisories.models import Advisory
from dnscert.core.choices import TLP, Severity
from dnscert.core.visibility import is_core_staff, is_signed_in, visible

RELEASED = Q(current_release__gte=1)


def _audience_condition(user: Any) -> Q | None:
    org_id = getattr(user, "organisation_id", None) if is_signed_in(user) else None
    if not org_id:
        return None
    direct = Q(audience_resolved=org_id)
    client = Q(audience_resolved__clients=org_id)
    return (Q(tlp__in=[TLP.GREEN, TLP.AMBER_STRICT]) & direct) | (
        Q(tlp=TLP.AMBER) & (direct | client)
    )


def readable(user: Any, queryset: QuerySet[Advisory] | None = None) -> QuerySet[Advisory]:
    """The advisories ``user`` may read (staff: all, in every status)."""
    base = queryset if queryset is not None else Advisory.objects.all()
    if is_core_staff(user):
        return base.all()
    allowed = visible(user, base).values("pk")
    condition = Q(pk__in=allowed)
    audience = _audience_condition(user)
    if audience is not None:
        condition |= Q(pk__in=Advisory.objects.filter(audience).values("pk"))
    return base.filter(RELEASED).filter(condition).distinct()


def public(queryset: QuerySet[Advisory] | None = None) -> QuerySet[Advisory]:
    """Released TLP:CLEAR advisories: the public page, Atom feed and CSAF directory."""
    base = queryset if queryset is not None else Advisory.objects.all()
    return base.filter(RELEASED, tlp=TLP.CLEAR)


def addressed_to(organisation_id: int, queryset: QuerySet[Advisory]) -> QuerySet[Advisory]:
    """Those of ``queryset`` addressed to the organisation (named or by audience)."""
    return queryset.filter(
        Q(recipient_organisations=organisation_id) | Q(audience_resolved=organisation_id)
    ).distinct()


def may_read(user: Any, advisory: Advisory) -> bool:
    return readable(user, Advisory.objects.filter(pk=advisory.pk)).exists()


@dataclass(frozen=True)
class Presentation:
    """What a reader sees of an advisory: the released text, in their language if possible."""

    advisory: Advisory
    language: str
    title: str
    summary: str
    details: str
    recommendations: str
    severity: str
    cve_ids: list[str]
    references: list[dict[str, str]]
    credits: list[dict[str, str]]
    affected: list[dict[str, Any]]
    translated: bool
    languages: list[str] = field(default_factory=list)

    @property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)

    @property
    def withdrawn(self) -> bool:
        return self.advisory.status == AdvisoryStatus.WITHDRAWN


def _released_snapshot(advisory: Advisory) -> dict[str, Any] | None:
    last = advisory.revisions.exclude(snapshot={}).order_by("-number").first()
    return dict(last.snapshot) if last else None


def present(advisory: Advisory, language: str, *, live: bool = False) -> Presentation:
    """The advisory as ``language`` readers see it (falling back to the original language).

    ``live`` shows the current texts (staff preview); otherwise, while a new revision is in
    preparation, readers get the last released one.
    """
    from dnscert.advisories.services import snapshot

    data = None
    if not live and advisory.status in (AdvisoryStatus.DRAFT, AdvisoryStatus.IN_REVIEW):
        data = _released_snapshot(advisory)
    if data is None:
        data = snapshot(advisory)
    texts = {name: data[name] for name in ("title", "summary", "details", "recommendations")}
    translations: dict[str, dict[str, str]] = data.get("translations", {})
    translated = False
    original = data.get("language", advisory.language)
    if language != original and language in translations:
        version = translations[language]
        texts = {name: version.get(name) or texts[name] for name in texts}
        translated = True
    return Presentation(
        advisory=advisory,
        language=language if translated else original,
        severity=str(data["severity"]),
        cve_ids=list(data["cve_ids"]),
        references=list(data["references"]),
        credits=list(data["credits"]),
        affected=list(data["affected"]),
        translated=translated,
        languages=sorted({original, *translations}),
        **texts,
    )
