"""Web pages of watch and warning: the staff list, detail, review queue and rule settings;
the member portal with acknowledgement; subscriptions; the acknowledgement link.

Views are thin: objects come through :mod:`queries` (the TLP rule) or
:func:`subscriptions.manageable`, every change through a service function.
"""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dnscert.advisories.warnings import queries, rules, services, subscriptions
from dnscert.advisories.warnings.channels.atom import feed_url
from dnscert.advisories.warnings.choices import AckVia
from dnscert.advisories.warnings.filters import SubscriptionFilter, WarningFilter
from dnscert.advisories.warnings.forms import ReviewForm, RuleSettingForm, SubscriptionForm
from dnscert.advisories.warnings.models import Subscription, Warning
from dnscert.core import audit
from dnscert.core.choices import Role
from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import role_required, signin_required, staff_required
from dnscert.core.visibility import is_core_staff
from dnscert.delivery.services import messages_about

PAGE_SIZE = 50
team_required = role_required(Role.STAFF, Role.RESPONDER)
member_required = role_required(Role.MEMBER)
CSV_COLUMNS = (
    "reference", "rule", "kind", "severity", "tlp", "organisation", "title", "status",
    "created_at", "sent_at", "acknowledged_at", "follow_up", "repeats",
)  # fmt: skip


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k not in ("page", "format") and v])


def _invalid(request: HttpRequest, error: InvalidInput) -> None:
    messages.error(request, f"{error.field}: {error.problem}")


# --- staff and responders -------------------------------------------------------------------


@team_required
def warning_list(request: HttpRequest) -> HttpResponseBase:
    """Every warning the user may see, filterable; ``?format=csv`` downloads the selection."""
    found = WarningFilter(request.GET or None, queryset=queries.warnings_for(request.user))
    if request.GET.get("format") == "csv":
        return _csv(request, found.qs)
    return render(
        request,
        "warnings/list.html",
        {"filter": found, "page": _page(request, found.qs), "query": _query_without_page(request)},
    )


def _csv(request: HttpRequest, rows: QuerySet[Warning]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="warnings.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for warning in rows.iterator():
        writer.writerow([_cell(warning, column) for column in CSV_COLUMNS])
    audit.record(request.user, audit.Action.EXPORT, None, object_repr="warnings.csv")
    return response


def _cell(warning: Warning, column: str) -> str:
    if column == "organisation":
        value: Any = warning.organisation.short_name
    else:
        value = getattr(warning, column)
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@team_required
def warning_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One warning with its deliveries and the messages the delivery queue sent about it."""
    warning = get_object_or_404(queries.warnings_for(request.user), reference=reference)
    audit.record_read(request.user, warning)
    context = {
        "warning": warning,
        "deliveries": warning.deliveries.select_related("subscription", "message"),
        "messages": messages_about(warning),
        "review_form": ReviewForm(),
        "can_review": is_core_staff(request.user) and warning.status in services.HELD,
    }
    return render(request, "warnings/detail.html", context)


@staff_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Warnings held for staff review or by the rate limit."""
    rows = queries.warnings_for(request.user).filter(status__in=services.HELD)
    return render(
        request, "warnings/review.html", {"page": _page(request, rows), "form": ReviewForm()}
    )


@staff_required
@require_POST
def review(request: HttpRequest, reference: str, decision: str) -> HttpResponseBase:
    """Approve (deliver now) or reject a held warning."""
    warning = get_object_or_404(Warning, reference=reference)
    form = ReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    action = services.approve if decision == "approve" else services.reject
    try:
        action(warning, by=request.user, note=note)
        messages.success(request, _("%(ref)s: done.") % {"ref": warning.reference})
    except InvalidInput as error:
        _invalid(request, error)
    return redirect("warnings:review")


@staff_required
@require_POST
def staff_acknowledge(request: HttpRequest, reference: str) -> HttpResponseBase:
    """Staff record an acknowledgement received another way (phone, reply)."""
    warning = get_object_or_404(Warning, reference=reference)
    try:
        services.acknowledge(warning, by=request.user, via=AckVia.STAFF)
    except InvalidInput as error:
        _invalid(request, error)
    return redirect("warnings:detail", reference=reference)


@staff_required
def rule_list(request: HttpRequest) -> HttpResponse:
    """The declared rules with their settings; staff change them here."""
    rows = [
        (rule, setting, RuleSettingForm(initial=_initial(setting), prefix=rule.name))
        for rule, setting in rules.all_settings()
    ]
    return render(request, "warnings/rules.html", {"rows": rows})


def _initial(setting: Any) -> dict[str, Any]:
    return {
        "enabled": setting.enabled,
        "review_required": setting.review_required,
        "rate_limit": setting.rate_limit,
    }


@staff_required
@require_POST
def rule_update(request: HttpRequest, name: str) -> HttpResponseBase:
    """Save the settings of one rule."""
    if name not in rules.RULES:
        raise Http404
    form = RuleSettingForm(request.POST, prefix=name)
    if not form.is_valid():
        messages.error(request, _("Rate limit: give a whole number from 1 to 10000."))
        return redirect("warnings:rules")
    rules.update_setting(name, by=request.user, **form.cleaned_data)
    messages.success(request, _("Settings of %(rule)s saved.") % {"rule": name})
    return redirect("warnings:rules")


# --- member portal --------------------------------------------------------------------------


@member_required
def portal_list(request: HttpRequest) -> HttpResponse:
    """The warnings addressed to the member's organisation."""
    found = WarningFilter(request.GET or None, queryset=queries.warnings_for(request.user))
    return render(
        request,
        "warnings/portal_list.html",
        {"filter": found, "page": _page(request, found.qs), "query": _query_without_page(request)},
    )


@signin_required
def portal_detail(request: HttpRequest, reference: str) -> HttpResponseBase:
    """One warning in the portal; members acknowledge it here (POST)."""
    warning = get_object_or_404(queries.warnings_for(request.user), reference=reference)
    if request.user.role != Role.MEMBER:  # type: ignore[union-attr]
        return redirect("warnings:detail", reference=reference)
    if request.method == "POST":
        try:
            services.acknowledge(warning, by=request.user, via=AckVia.PORTAL)
            messages.success(request, _("Thank you: the warning is acknowledged."))
        except InvalidInput as error:
            _invalid(request, error)
        return redirect("warnings:portal-detail", reference=reference)
    audit.record_read(request.user, warning)
    return render(request, "warnings/portal_detail.html", {"warning": warning})


# --- the acknowledgement link ----------------------------------------------------------------


def ack(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the warning the link is about; POST acknowledges it (no sign-in needed)."""
    warning = services.by_ack_token(token)
    if warning is None:
        raise Http404
    if request.method == "POST":
        try:
            warning = services.acknowledge(warning, by=request.user, via=AckVia.LINK)
        except InvalidInput as error:
            _invalid(request, error)
    elif request.method != "GET":
        return HttpResponse(status=405)
    return render(request, "warnings/ack.html", {"warning": warning, "token": token})


# --- subscriptions --------------------------------------------------------------------------


def _subscriber_required(view: Any) -> Any:
    return role_required(Role.STAFF, Role.RESPONDER, Role.MEMBER)(view)


@_subscriber_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    """The subscriptions the user manages (staff: every one), and the default that applies."""
    rows = SubscriptionFilter(request.GET or None, queryset=subscriptions.manageable(request.user))
    return render(
        request,
        "warnings/subscriptions.html",
        {"filter": rows, "page": _page(request, rows.qs), "query": _query_without_page(request)},
    )


@_subscriber_required
def subscription_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    """Create (no ``pk``) or change a subscription."""
    subscription = get_object_or_404(subscriptions.manageable(request.user), pk=pk) if pk else None
    form = SubscriptionForm(request.POST or None, initial=_form_initial(subscription))
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(request, subscription, form.values())
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.problem)
        else:
            messages.success(request, _("Subscription saved."))
            return redirect("warnings:subscription", pk=saved.pk)
    context = {
        "form": form,
        "subscription": subscription,
        "feed_url": feed_url(subscription) if subscription else "",
    }
    return render(request, "warnings/subscription_form.html", context)


def _save(request: HttpRequest, subscription: Subscription | None, values: Any) -> Subscription:
    if subscription is None:
        return subscriptions.create_subscription(by=request.user, **values)
    return subscriptions.update_subscription(subscription, by=request.user, **values)


def _form_initial(subscription: Subscription | None) -> dict[str, Any]:
    if subscription is None:
        return {"channels": ["email"], "active": True}
    return {
        "name": subscription.name,
        "kinds": subscription.kinds,
        "tlds": " ".join(subscription.tlds),
        "products": list(subscription.products.all()),
        "min_severity": subscription.min_severity,
        "channels": subscription.channels,
        "email": subscription.email,
        "webhook_url": subscription.webhook_url,
        "language": subscription.language,
        "active": subscription.active,
    }


@_subscriber_required
@require_POST
def subscription_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Delete a subscription the user manages."""
    subscription = get_object_or_404(subscriptions.manageable(request.user), pk=pk)
    subscriptions.delete_subscription(subscription, by=request.user)
    messages.success(request, _("Subscription deleted."))
    return redirect("warnings:subscriptions")
