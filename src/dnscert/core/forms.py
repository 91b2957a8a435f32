"""Forms of the core pages: sign-in with a rate limit, MFA codes, API tokens, documents."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dnscert.core import login_throttle
from dnscert.core.choices import TLP
from dnscert.core.http_client import client_ip
from dnscert.core.models import SharedDocument
from dnscert.core.services import MAX_TOKEN_DAYS
from dnscert.directory.models import Organisation


class RateLimitedAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing a username+address after too many failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed sign-in attempts for this account from your address. "
            "Try again in %(minutes)d minutes."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        ip = client_ip(self.request) or ""
        if login_throttle.is_locked(username, ip):
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": login_throttle.window_seconds() // 60},
            )
        try:
            return super().clean()
        except ValidationError:
            login_throttle.note_failure(username, ip)
            raise


class OTPCodeForm(forms.Form):
    """A one-time code from the authenticator app, or a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class ApiTokenForm(forms.Form):
    """Name and lifetime of a new API token."""

    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What will use it."))
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
        required=False,
        initial=90,
        help_text=_("Leave empty for a token that does not expire."),
    )


class SharedDocumentForm(forms.ModelForm):
    """What core staff fill in to share a document."""

    tlp = forms.ChoiceField(label="TLP", choices=TLP.choices, initial=TLP.AMBER)

    class Meta:
        model = SharedDocument
        fields = [
            "title",
            "body",
            "attachment",
            "tlp",
            "owner_organisation",
            "recipient_organisations",
            "named_recipients",
            "assignees",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.order_by("name")
        people = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["owner_organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["recipient_organisations"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["named_recipients"].queryset = people  # type: ignore[attr-defined]
        self.fields["assignees"].queryset = people  # type: ignore[attr-defined]
