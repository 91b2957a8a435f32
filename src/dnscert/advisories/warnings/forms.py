"""Forms of the subscription pages; the service checks every value again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dnscert.advisories.warnings.choices import ChannelKind, WarningKind
from dnscert.core.choices import Severity
from dnscert.directory.models import Product


class SubscriptionForm(forms.Form):
    """What to receive and how."""

    name = forms.CharField(label=_("Name"), max_length=100)
    kinds = forms.MultipleChoiceField(
        label=_("Kinds"),
        choices=WarningKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind."),
    )
    tlds = forms.CharField(
        label=_("TLDs"),
        required=False,
        help_text=_("Separated by spaces or commas, e.g. 'xa xb'; empty: every TLD."),
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Products"),
        queryset=Product.objects.select_related("vendor").order_by("name"),
        required=False,
        help_text=_("None chosen: every product."),
    )
    min_severity = forms.ChoiceField(
        label=_("Minimum severity"), choices=Severity.choices, initial=Severity.INFO
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=ChannelKind.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ChannelKind.EMAIL],
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Empty: your organisation's 24x7 contacts."),
    )
    webhook_url = forms.URLField(
        label=_("Webhook URL"), required=False, max_length=2000, assume_scheme="https"
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def values(self) -> dict[str, Any]:
        """The cleaned values as the service takes them."""
        data = dict(self.cleaned_data)
        data["tlds"] = [t for t in data["tlds"].replace(",", " ").split() if t]
        data["products"] = [product.pk for product in data["products"]]
        return data


class RuleSettingForm(forms.Form):
    """Staff settings of one rule."""

    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    review_required = forms.BooleanField(label=_("Staff review required"), required=False)
    rate_limit = forms.IntegerField(
        label=_("Rate limit (per organisation per hour)"), min_value=1, max_value=10_000
    )


class ReviewForm(forms.Form):
    """Approve or reject a held warning, with an optional note."""

    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
