"""Forms of the staff console: the advisory, its affected products and its translations.

Forms only parse what people type (lists one per line); the services validate.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from dnscert.advisories.choices import CsafCategory, ProductStatus
from dnscert.advisories.models import Advisory
from dnscert.core.choices import TLP, Severity
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.models import Organisation, Product


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _pairs(text: str) -> list[dict[str, str]]:
    """``first | second`` lines as ``[{"a": first, "b": second}]``."""
    rows = []
    for line in _lines(text):
        first, _sep, second = line.partition("|")
        rows.append({"a": first.strip(), "b": second.strip()})
    return rows


class AdvisoryForm(forms.Form):
    """The texts, labels and audience of an advisory."""

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    recommendations = forms.CharField(
        label=_("Recommendations"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    tlp = forms.ChoiceField(label="TLP", choices=TLP.choices, initial=TLP.AMBER)
    csaf_category = forms.ChoiceField(label=_("CSAF category"), choices=CsafCategory.choices)
    cve_ids = forms.CharField(
        label=_("CVE ids"),
        required=False,
        help_text=_("One per line, e.g. CVE-2026-12345."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    references = forms.CharField(
        label=_("References"),
        required=False,
        help_text=_("One per line: URL | summary."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    credits = forms.CharField(
        label=_("Credits"),
        required=False,
        help_text=_("One per line: name | what they did."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    audience_kinds = forms.MultipleChoiceField(
        label=_("Audience: organisation kinds"),
        choices=OrganisationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience_tlds = forms.CharField(
        label=_("Audience: TLDs"),
        required=False,
        help_text=_("Separated by spaces or commas, e.g. xa xb."),
    )
    audience_products = forms.ModelMultipleChoiceField(
        label=_("Audience: products"),
        queryset=Product.objects.select_related("vendor"),
        required=False,
    )
    named_organisations = forms.ModelMultipleChoiceField(
        label=_("Named organisations"), queryset=Organisation.objects.all(), required=False
    )

    def service_values(self) -> dict[str, Any]:
        """The cleaned data as keyword arguments of the advisory services."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "summary": data["summary"],
            "details": data["details"],
            "recommendations": data["recommendations"],
            "severity": data["severity"],
            "tlp": data["tlp"],
            "csaf_category": data["csaf_category"],
            "cve_ids": [part for line in _lines(data["cve_ids"]) for part in line.split(",")],
            "references": [{"url": r["a"], "summary": r["b"]} for r in _pairs(data["references"])],
            "credits": [{"name": r["a"], "summary": r["b"]} for r in _pairs(data["credits"])],
            "audience_kinds": data["audience_kinds"],
            "audience_tlds": data["audience_tlds"].replace(",", " ").split(),
            "audience_products": list(data["audience_products"]),
            "named_organisations": list(data["named_organisations"]),
        }

    @staticmethod
    def initial_for(advisory: Advisory) -> dict[str, Any]:
        return {
            "title": advisory.title,
            "summary": advisory.summary,
            "details": advisory.details,
            "recommendations": advisory.recommendations,
            "severity": advisory.severity,
            "tlp": advisory.tlp,
            "csaf_category": advisory.csaf_category,
            "cve_ids": "\n".join(advisory.cve_ids),
            "references": "\n".join(f"{r['url']} | {r['summary']}" for r in advisory.references),
            "credits": "\n".join(f"{c['name']} | {c.get('summary', '')}" for c in advisory.credits),
            "audience_kinds": advisory.audience_kinds,
            "audience_tlds": " ".join(advisory.audience_tlds),
            "audience_products": list(advisory.audience_products.all()),
            "named_organisations": list(advisory.recipient_organisations.all()),
        }


class AffectedForm(forms.Form):
    """One affected product: a directory product or a name (with its vendor)."""

    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.select_related("vendor"), required=False
    )
    product_name = forms.CharField(label=_("or product name"), max_length=200, required=False)
    vendor = forms.ModelChoiceField(
        label=_("Vendor"), queryset=Organisation.objects.all(), required=False
    )
    versions = forms.CharField(label=_("Versions"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ProductStatus.choices)
    statement = forms.CharField(label=_("Statement"), max_length=5000, required=False)

    def row(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data or (not data.get("product") and not data.get("product_name")):
            return None
        return {key: data.get(key) for key in self.fields}


AffectedFormSet = formset_factory(AffectedForm, extra=2, max_num=100)


def affected_initial(advisory: Advisory) -> list[dict[str, Any]]:
    return [
        {
            "product": row.product,
            "product_name": row.product_name if row.product is None else "",
            "vendor": row.vendor,
            "versions": row.versions,
            "status": row.status,
            "statement": row.statement,
        }
        for row in advisory.affected.all()
    ]


class TranslationForm(forms.Form):
    """The advisory's texts in another language."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    recommendations = forms.CharField(
        label=_("Recommendations"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    """A note or reason given with a workflow action."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    revision_summary = forms.CharField(label=_("Revision summary"), required=False, max_length=500)
