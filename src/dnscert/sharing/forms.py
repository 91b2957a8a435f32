"""Forms of the staff sharing console: what to share, and under which TLP label."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP
from dnscert.incidents.models import Incident
from dnscert.intel.models import Feed
from dnscert.intel.patterns.models import RegistryList

TLP_CHOICES = [("", _("The source's label")), *TLP.choices]


class IncidentShareForm(forms.Form):
    """Share the indicators of one incident."""

    reference = forms.CharField(label=_("Incident reference"), max_length=24)
    tlp = forms.ChoiceField(label="TLP", choices=TLP_CHOICES, required=False)

    def clean_reference(self) -> Incident:
        reference = self.cleaned_data["reference"].strip().upper()
        incident = Incident.objects.filter(reference=reference).first()
        if incident is None:
            raise forms.ValidationError(_("No incident %(ref)s.") % {"ref": reference})
        return incident


class DgaShareForm(forms.Form):
    """Share one DGA registry list."""

    registry_list = forms.ModelChoiceField(
        label=_("DGA list"),
        queryset=RegistryList.objects.none(),
    )
    tlp = forms.ChoiceField(label="TLP", choices=TLP_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lists = RegistryList.objects.filter(domain_count__gt=0).defer("rows")
        field = self.fields["registry_list"]
        field.queryset = lists.select_related("campaign")  # type: ignore[attr-defined]


class IntelShareForm(forms.Form):
    """Share one day of one feed's events."""

    feed = forms.ModelChoiceField(label=_("Feed"), queryset=Feed.objects.order_by("name"))
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    classification_type = forms.CharField(label=_("Category"), max_length=64, required=False)
    tlp = forms.ChoiceField(label="TLP", choices=TLP_CHOICES, required=False)
