"""Forms of the drill pages: prepare a drill, record a phone answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dnscert.directory.choices import OrganisationKind
from dnscert.directory.drills.choices import ContactScope
from dnscert.directory.drills.models import MAX_MINUTES
from dnscert.directory.models import Organisation


class DrillForm(forms.Form):
    """What a drill probes and how long contacts have to answer."""

    title = forms.CharField(label=_("Title"), max_length=200)
    organisation_kinds = forms.MultipleChoiceField(
        label=_("Organisation roles"),
        choices=OrganisationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        help_text=_("With no role and no organisation, every organisation is probed."),
    )
    contact_scope = forms.ChoiceField(
        label=_("Contacts"), choices=ContactScope.choices, initial=ContactScope.CONTACTS_24X7
    )
    response_minutes = forms.IntegerField(
        label=_("Response window (minutes)"), min_value=1, max_value=MAX_MINUTES, initial=240
    )
    late_minutes = forms.IntegerField(
        label=_("Late answers accepted for (minutes)"),
        min_value=0,
        max_value=MAX_MINUTES,
        initial=1440,
    )
    announced = forms.BooleanField(label=_("Announced in advance"), required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class PhoneAnswerForm(forms.Form):
    """When the contact answered the phone (the probe's local form on the drill page)."""

    at = forms.DateTimeField(
        label=_("Answered at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )

    def cleaned_at(self) -> Any:
        return self.cleaned_data.get("at")
