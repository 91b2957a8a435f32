"""Staff pages of the delivery queue, and the platform's public PGP key."""

from __future__ import annotations

import csv
import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from dnscert.core.permissions import staff_required
from dnscert.delivery import emails, pgp, services
from dnscert.delivery.choices import Channel
from dnscert.delivery.filters import MessageFilter
from dnscert.delivery.models import OutboundMessage

PAGE_SIZE = 50


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    """The outbound queue, filterable, with the number of failures."""
    message_filter = MessageFilter(
        request.GET, queryset=OutboundMessage.objects.select_related("about_type")
    )
    return render(
        request,
        "delivery/queue.html",
        {
            "filter": message_filter,
            "page": _page(request, message_filter.qs),
            "query": _query_without_page(request),
            "failures": services.failure_count(),
        },
    )


#: Columns of the CSV export of the queue.
EXPORT_FIELDS = (
    "id", "created_at", "channel", "category", "recipient_display", "subject", "tlp", "status",
    "attempts", "last_status_code", "sent_at", "bounced_at", "message_id", "last_error",
)  # fmt: skip


@staff_required
def queue_export(request: HttpRequest) -> HttpResponse:
    """The filtered queue as CSV (e.g. who did not receive an advisory)."""
    message_filter = MessageFilter(request.GET, queryset=OutboundMessage.objects.all())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="delivery.csv"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_FIELDS)
    for message in message_filter.qs.iterator(chunk_size=2000):
        writer.writerow([_csv_cell(getattr(message, name)) for name in EXPORT_FIELDS])
    return response


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell starting with a formula character would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@staff_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One message: headers, body, attempts and last error."""
    message = get_object_or_404(OutboundMessage.objects.select_related("about_type"), pk=pk)
    return render(
        request,
        "delivery/message.html",
        {
            "message": message,
            "source": _source(message),
            "about": _about(message),
            "payload_json": json.dumps(message.payload, indent=2, sort_keys=True),
        },
    )


@staff_required
@require_POST
def message_retry(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Staff send a message again now."""
    message = get_object_or_404(OutboundMessage, pk=pk)
    services.retry_now(message, by=request.user)
    messages.success(request, _("The message is queued to be sent again."))
    return redirect("delivery:message", pk=message.pk)


@cache_control(public=True, max_age=3600)
def pgp_key(request: HttpRequest) -> HttpResponse:
    """The platform's public OpenPGP key, for anyone to verify our e-mails and encrypt to us."""
    response = HttpResponse(pgp.public_key(), content_type="application/pgp-keys")
    response["Content-Disposition"] = 'inline; filename="pgp-key.asc"'
    return response


def _source(message: OutboundMessage) -> str:
    """What goes on the wire for an e-mail (unsigned preview: signing happens at send time)."""
    if message.channel != Channel.EMAIL:
        return ""
    preview = OutboundMessage(
        **{
            field.attname: getattr(message, field.attname)
            for field in message._meta.concrete_fields
        }
    )
    preview.signed = preview.encrypted = False
    return emails.render(preview).decode("ascii", errors="replace")


def _about(message: OutboundMessage) -> Any:
    try:
        return message.about
    except AttributeError:
        return None


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    return urlencode(
        [(key, value) for key, value in request.GET.items() if key != "page" and value]
    )
