"""Forms of the pattern pages; the services check the values again and name the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.intel.patterns import campaigns

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    """A new DGA campaign: family and date range."""

    family = forms.ChoiceField(label=_("Family"))
    start_date = forms.DateField(label=_("From"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("To"), widget=DATE_INPUT)
    tlp = forms.ChoiceField(label="TLP", choices=TLP.choices, initial=TLP.AMBER)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        family = self.fields["family"]
        assert isinstance(family, forms.ChoiceField)
        family.choices = [
            (name, f"{name} — {description}") for name, description in campaigns.family_choices()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if isinstance(start, date) and isinstance(end, date) and data.get("family"):
            try:
                campaigns.check_request(data["family"], start, end)
            except InvalidInput as error:
                self.add_error(error.field if error.field in self.fields else None, error.problem)
        return data


class CoverageForm(forms.Form):
    """A registry's coverage report: how many of the list's domains are blocked or registered."""

    covered_count = forms.IntegerField(label=_("Domains blocked or pre-registered"), min_value=0)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DismissForm(forms.Form):
    """Why staff dismiss a concentration alert."""

    note = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class ConcentrationForm(forms.Form):
    """The window and category of the concentration view."""

    last_day = forms.DateField(label=_("Last day"), required=False, widget=DATE_INPUT)
    days = forms.IntegerField(label=_("Window (days)"), required=False, min_value=1, max_value=90)
    baseline_days = forms.IntegerField(
        label=_("Baseline (days)"), required=False, min_value=1, max_value=365
    )
    category = forms.CharField(
        label=_("Category"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"list": "category-choices"}),
    )
