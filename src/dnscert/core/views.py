"""Pages of the core: sign-in with MFA, API tokens, the audit log and shared documents."""

from __future__ import annotations

import base64
import csv
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dnscert.core import audit, login_throttle, services
from dnscert.core.exceptions import InvalidInput
from dnscert.core.filters import AuditEventFilter
from dnscert.core.forms import (
    ApiTokenForm,
    OTPCodeForm,
    RateLimitedAuthenticationForm,
    SharedDocumentForm,
)
from dnscert.core.http_client import client_ip
from dnscert.core.middleware import MFA_PENDING_SESSION_KEY
from dnscert.core.models import ApiToken, AuditEvent, SharedDocument
from dnscert.core.permissions import signin_required, staff_required
from dnscert.core.visibility import get_visible_or_404, visible

AUDIT_PAGE_SIZE = 50
AUDIT_CSV_COLUMNS = [
    "at",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "tlp",
    "changes",
    "ip_address",
    "user_agent",
    "via",
]


# --- Sign-in and MFA -------------------------------------------------------------------------


def mfa_step_needed(user: Any) -> bool:
    """True when ``user`` must pass a TOTP check after the password."""
    required = settings.DNSCERT_REQUIRE_MFA and getattr(user, "needs_mfa", False)
    return bool(required or services.has_confirmed_device(user))


def _safe_next(request: HttpRequest, fallback: str = settings.LOGIN_REDIRECT_URL) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else reverse(fallback)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class SignInView(auth_views.LoginView):
    """Password sign-in, rate limited, followed by the TOTP step when one is needed."""

    template_name = "core/auth/login.html"
    authentication_form = RateLimitedAuthenticationForm

    def form_valid(self, form: Any) -> HttpResponse:
        login_throttle.clear(form.cleaned_data.get("username", ""), client_ip(self.request) or "")
        response = super().form_valid(form)
        if mfa_step_needed(form.get_user()):
            self.request.session[MFA_PENDING_SESSION_KEY] = True
            return redirect(_with_next("mfa-verify", self.get_success_url()))
        return response


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, as in Django)."""

    template_name = "core/auth/logged_out.html"


def _finish_mfa(request: HttpRequest, device: Any) -> None:
    django_otp.login(request, device)
    request.session.pop(MFA_PENDING_SESSION_KEY, None)


@signin_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the TOTP (or backup) code after the password; enrol first if no device."""
    user: Any = request.user
    next_url = _safe_next(request)
    if not services.has_confirmed_device(user):
        return redirect(_with_next("mfa-setup", next_url))
    if user.is_verified():
        return redirect(next_url)
    form = OTPCodeForm(request.POST or None)
    if form.is_valid():
        device = django_otp.match_token(user, form.cleaned_data["code"].strip())
        if device is not None:
            _finish_mfa(request, device)
            return redirect(next_url)
        audit.record(user, audit.Action.LOGIN_FAILED, user, changes={"mfa": "wrong code"})
        form.add_error("code", _("That code is not valid. Check your device's clock and retry."))
    return render(request, "core/auth/mfa_verify.html", {"form": form, "next": next_url})


@signin_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP authenticator (QR code), confirm it with a first code, get backup codes."""
    user: Any = request.user
    next_url = _safe_next(request)
    enrolled = services.has_confirmed_device(user)
    if enrolled and not user.is_verified():
        return redirect(_with_next("mfa-verify", reverse("mfa-setup")))
    if request.method == "POST" and request.POST.get("action") == "backup-codes" and enrolled:
        fresh = services.regenerate_backup_codes(user)
        return render(request, "core/auth/mfa_codes.html", {"codes": fresh, "next": next_url})
    device = services.pending_totp_device(user)
    form = OTPCodeForm(request.POST or None)
    if form.is_valid():
        codes = services.confirm_totp_device(user, device, form.cleaned_data["code"])
        if codes is not None:
            _finish_mfa(request, device)
            return render(request, "core/auth/mfa_codes.html", {"codes": codes, "next": next_url})
        form.add_error("code", _("That code is not valid. Scan the QR code again and retry."))
    context = {
        "form": form,
        "next": next_url,
        "enrolled": enrolled,
        "otpauth_uri": device.config_url,
        "secret": base64.b32encode(device.bin_key).decode("ascii").rstrip("="),
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4),
    }
    return render(request, "core/auth/mfa_setup.html", context)


# --- API tokens ------------------------------------------------------------------------------


@signin_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List, create (raw value shown once) and revoke the user's API tokens."""
    user: Any = request.user
    form = ApiTokenForm(request.POST if request.POST.get("action") == "create" else None)
    raw_token = None
    if request.method == "POST" and request.POST.get("action") == "revoke":
        token = get_object_or_404(ApiToken, pk=request.POST.get("token"), user=user)
        services.revoke_api_token(user, token)
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("api-tokens")
    if form.is_valid():
        data = form.cleaned_data
        raw_token = services.issue_api_token(user, user, data["name"], data["days"])[1]
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=user)
    context = {"form": form, "tokens": tokens, "raw_token": raw_token}
    return render(request, "core/api_tokens.html", context)


# --- Audit log -------------------------------------------------------------------------------


@staff_required
def audit_log(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The audit log for core staff: filters, pages, and the filtered list as CSV."""
    filterset = AuditEventFilter(request.GET or None, queryset=AuditEvent.objects.all())
    events = filterset.qs if filterset.is_bound else AuditEvent.objects.all()
    if request.GET.get("export") == "csv":
        return _audit_csv(request, events)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    return render(request, "core/audit_list.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _audit_csv(request: HttpRequest, events: Any) -> StreamingHttpResponse:
    filters = {key: value for key, value in request.GET.items() if key != "export"}
    audit.record(request.user, audit.Action.EXPORT, object_repr="audit log", changes=filters)
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(AUDIT_CSV_COLUMNS)
        for event in events.iterator():
            yield writer.writerow([_csv_value(event, column) for column in AUDIT_CSV_COLUMNS])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-events.csv"'
    return response


def _csv_value(event: AuditEvent, column: str) -> str:
    value = getattr(event, column)
    if column == "at":
        return value.isoformat()
    if column == "changes":
        return json.dumps(value, sort_keys=True)
    return "" if value is None else str(value)


# --- Shared documents ------------------------------------------------------------------------


def document_list(request: HttpRequest) -> HttpResponse:
    """Shared documents the visitor may see (the public sees TLP:CLEAR ones)."""
    documents = visible(request.user, SharedDocument.objects.all())
    page = Paginator(documents, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/document_list.html", {"page": page})


def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One shared document; reading an AMBER or stricter one is audited."""
    document = get_visible_or_404(request.user, SharedDocument.objects.all(), pk=pk)
    audit.record_read(request.user, document)
    return render(request, "core/document_detail.html", {"document": document})


def document_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Download a shared document's file; audited like reading the document."""
    document = get_visible_or_404(request.user, SharedDocument.objects.all(), pk=pk)
    if not document.attachment:
        raise Http404(_("This document has no attachment."))
    audit.record_read(request.user, document)
    name = document.attachment.name.rsplit("/", 1)[-1]
    return FileResponse(document.attachment.open("rb"), as_attachment=True, filename=name)


@staff_required
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest) -> HttpResponse:
    """Core staff share a new document."""
    form = SharedDocumentForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["attachment"] = data.get("attachment") or None
        try:
            document = services.create_shared_document(request.user, **data)
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.problem)
        else:
            return redirect("document-detail", pk=document.pk)
    return render(request, "core/document_form.html", {"form": form})
