"""Forms of vulnerability coordination: case fields, vendors, messages, embargo, reporting."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP, Severity
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.models import Organisation
from dnscert.incidents.intake.forms import MultipleFileField
from dnscert.vulns.choices import Audience, CaseStatus, Credit, VendorStatus


class CaseForm(forms.Form):
    """The editable fields of a case (CVSS vectors are scored by the service)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    affected_software = forms.CharField(
        label=_("Affected software"), max_length=300, required=False
    )
    affected_versions = forms.CharField(
        label=_("Affected versions"), max_length=300, required=False
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM
    )
    cvss3_vector = forms.CharField(label=_("CVSS v3.1 vector"), max_length=120, required=False)
    cvss4_vector = forms.CharField(label=_("CVSS v4.0 vector"), max_length=200, required=False)
    cwe = forms.CharField(label="CWE", max_length=16, required=False)
    cve_ids = forms.CharField(label=_("CVE ids"), max_length=500, required=False)
    tlp = forms.ChoiceField(label="TLP", choices=TLP.choices, initial=TLP.AMBER_STRICT)


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Product"), max_length=200)
    versions = forms.CharField(label=_("Versions"), max_length=300, required=False)


class AddVendorForm(forms.Form):
    """A directory vendor not yet on ``case``."""

    organisation = forms.ModelChoiceField(label=_("Vendor"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organisation"]
        field.queryset = Organisation.objects.filter(kind=OrganisationKind.VENDOR).exclude(
            vuln_cases__case=case
        )


class VendorStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=VendorStatus.choices)
    statement = forms.CharField(label=_("Statement"), widget=forms.Textarea, required=False)


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea)
    audience = forms.ChoiceField(label=_("To"), choices=Audience.choices, initial=Audience.ALL)
    vendor = forms.IntegerField(label=_("Vendor"), required=False)
    attachments = MultipleFileField(label=_("Attachments"))


class EmbargoForm(forms.Form):
    """The embargo instant, entered in a named time zone (the viewer's by default)."""

    embargo_at = forms.DateTimeField(
        label=_("Embargo ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, initial="UTC")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            zone = ZoneInfo(data.get("time_zone") or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError({"time_zone": _("Unknown time zone.")}) from None
        moment = data.get("embargo_at")
        if moment is not None:
            data["embargo_at"] = moment.replace(tzinfo=None).replace(tzinfo=zone)
        return data


class EarlyReleaseForm(forms.Form):
    reason = forms.CharField(label=_("Reason (e.g. exploited in the wild)"), widget=forms.Textarea)


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)


class CveRequestForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CveReservedForm(forms.Form):
    cve_id = forms.CharField(label=_("CVE id"), max_length=24)


class ReporterForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    credit = forms.ChoiceField(label=_("Credit"), choices=Credit.choices, initial=Credit.NAME)
    credit_text = forms.CharField(label=_("Credit text"), max_length=300, required=False)


class VulnReportForm(forms.Form):
    """The public vulnerability report form (with a honeypot field left empty by people)."""

    reporter_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    reporter_email = forms.EmailField(label=_("Your e-mail"))
    software = forms.CharField(label=_("Affected software"), max_length=200)
    versions = forms.CharField(label=_("Affected versions"), max_length=200, required=False)
    subject = forms.CharField(label=_("Summary"), max_length=200)
    body = forms.CharField(label=_("Details (how to reproduce, impact)"), widget=forms.Textarea)
    credit = forms.ChoiceField(label=_("How should we credit you?"), choices=Credit.choices)
    credit_text = forms.CharField(label=_("Credit text"), max_length=300, required=False)
    attachments = MultipleFileField(label=_("Attachments"))
    website = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("credit") == Credit.CUSTOM and not (data.get("credit_text") or "").strip():
            raise forms.ValidationError({"credit_text": _("Give the text to credit.")})
        return data


class CreateCaseFromReportForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    tlp = forms.ChoiceField(label="TLP", choices=TLP.choices, initial=TLP.AMBER_STRICT)
