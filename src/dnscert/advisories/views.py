"""Reader pages of advisories: the list, an advisory, its CSAF JSON and the Atom feed.

The public sees released TLP:CLEAR advisories; constituents also the GREEN and AMBER ones
addressed to them (:mod:`dnscert.advisories.queries`); hidden advisories answer 404. Every
reader gets the texts in their language when a translation exists, else the original.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from dnscert.advisories import conf, queries
from dnscert.advisories.choices import AdvisoryStatus
from dnscert.advisories.csaf import filename_for, to_csaf
from dnscert.advisories.filters import ReaderFilter
from dnscert.advisories.models import Advisory
from dnscert.advisories.provider import render_bytes
from dnscert.core import audit
from dnscert.core.audit import Via
from dnscert.core.choices import TLP

PAGE_SIZE = 25
FEED_SIZE = 50


def reader_language(request: HttpRequest) -> str:
    """The reader's language: ``?lang=``, else the active (session/browser) language."""
    wanted = str(request.GET.get("lang", "")).strip().lower()
    from django.conf import settings

    if wanted in {code for code, _name in settings.LANGUAGES}:
        return wanted
    return (translation.get_language() or "en").split("-")[0]


def _query_without_page(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def advisory_list(request: HttpRequest) -> HttpResponse:
    """Advisories the reader may see, newest release first, searchable and filterable."""
    base = queries.readable(request.user).order_by("-published_at", "-id")
    if not request.user.is_authenticated:
        base = queries.public(base)
    organisation_id = getattr(request.user, "organisation_id", None)
    addressed = bool(request.GET.get("addressed")) and organisation_id is not None
    if addressed and organisation_id is not None:
        base = queries.addressed_to(organisation_id, base)
    found = ReaderFilter(request.GET or None, queryset=base)
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    language = reader_language(request)
    return render(
        request,
        "advisories/list.html",
        {
            "filter": found,
            "page": page,
            "rows": [queries.present(a, language) for a in page],
            "query": _query_without_page(request),
            "addressed": addressed,
            "has_organisation": organisation_id is not None,
        },
    )


def _readable_or_404(request: HttpRequest, reference: str) -> Advisory:
    return get_object_or_404(queries.readable(request.user), reference=reference)


def advisory_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One advisory as the reader sees it (staff: the live text, with a console link)."""
    advisory = _readable_or_404(request, reference)
    if advisory.tlp in audit.RECORDED_READ_LABELS:
        audit.record_read(request.user, advisory)
    language = reader_language(request)
    view = queries.present(advisory, language)
    return render(
        request,
        "advisories/detail.html",
        {
            "advisory": advisory,
            "view": view,
            "released": advisory.current_release >= 1,
            "csaf_filename": filename_for(advisory.reference),
        },
    )


def advisory_csaf(request: HttpRequest, reference: str, filename: str = "") -> HttpResponse:
    """The CSAF 2.0 JSON of the advisory's current release (``?lang=fr`` for a translation)."""
    advisory = _readable_or_404(request, reference)
    name = filename_for(advisory.reference)
    if filename and filename != name:
        raise Http404("no such CSAF file")
    body = csaf_body(advisory, request.user, str(request.GET.get("lang", "")))
    if advisory.tlp in audit.RECORDED_READ_LABELS:
        audit.record(request.user, audit.Action.EXPORT, advisory, tlp=advisory.tlp, via=Via.WEB)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def csaf_body(advisory: Advisory, user: Any, language: str = "") -> bytes:
    """The CSAF JSON a reader gets: the stored release, or a translation of it.

    Readers never get unreleased text: while a new revision is in preparation they get the
    stored release (in the original language). Staff also get drafts, rendered live.
    """
    language = language.strip().lower() or advisory.language
    stored = getattr(advisory, "csaf_file", None) if advisory.current_release else None
    staff = bool(getattr(user, "is_core_staff", False))
    editing = advisory.status in (AdvisoryStatus.DRAFT, AdvisoryStatus.IN_REVIEW)
    if stored is None and not staff:
        raise Http404("no released CSAF document")
    if stored is not None and (language == advisory.language or (editing and not staff)):
        return stored.content.encode()
    return render_bytes(to_csaf(advisory, language))


class AdvisoryFeed(Feed):  # type: ignore[type-arg]
    """Atom feed of released TLP:CLEAR advisories, in the reader's language."""

    feed_type = Atom1Feed
    subtitle = _("Public security advisories (TLP:CLEAR).")

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        return reader_language(request)

    def title(self, obj: str) -> str:
        return f"{conf.publisher_name()}: " + str(_("Advisories"))

    def link(self, obj: str) -> str:
        return reverse("advisories:list")

    def items(self, obj: str) -> list[queries.Presentation]:
        rows = queries.public().order_by("-published_at", "-id")[:FEED_SIZE]
        return [queries.present(advisory, obj) for advisory in rows]

    def item_title(self, item: queries.Presentation) -> str:
        prefix = "[WITHDRAWN] " if item.withdrawn else ""
        return f"{prefix}{item.advisory.reference}: {item.title}"

    def item_description(self, item: queries.Presentation) -> str:
        return f"{TLP.CLEAR.label_text} {item.summary}"

    def item_link(self, item: queries.Presentation) -> str:
        return reverse("advisories:detail", args=[item.advisory.reference])

    def item_guid(self, item: queries.Presentation) -> str:
        return f"{conf.site_url()}/advisories/{item.advisory.reference}/"

    def item_pubdate(self, item: queries.Presentation) -> Any:
        return item.advisory.published_at

    def item_updateddate(self, item: queries.Presentation) -> Any:
        stored = getattr(item.advisory, "csaf_file", None)
        return stored.released_at if stored else item.advisory.published_at

    def item_categories(self, item: queries.Presentation) -> list[str]:
        return [item.severity, *item.cve_ids]
