"""Forms of the threat-data pages: a feed's settings, an upload, chart options."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dnscert.intel.choices import Dimension, SourceKind
from dnscert.intel.feeds.registry import parsers
from dnscert.intel.queries import CHART_DAYS, DEFAULT_CHART_DAYS

#: Largest upload accepted through the web form and the API.
MAX_UPLOAD_BYTES = 512 * 1024 * 1024


def _parser_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in parsers()]


class FeedForm(forms.Form):
    """A feed's settings; the service validates the combination."""

    name = forms.SlugField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    parser = forms.ChoiceField(label=_("Parser"), choices=_parser_choices)
    options = forms.CharField(
        label=_("Parser options (JSON)"), required=False, initial="{}", widget=forms.Textarea
    )
    source_kind = forms.ChoiceField(label=_("Source kind"), choices=SourceKind.choices)
    url = forms.URLField(label=_("URL"), required=False, max_length=2000, assume_scheme="https")
    path = forms.CharField(label=_("Watched directory"), required=False, max_length=500)
    schedule_minutes = forms.IntegerField(
        label=_("Schedule (minutes, 0 = by hand)"), min_value=0, max_value=525600, initial=0
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    provider = forms.CharField(label=_("Provider"), required=False, max_length=200)

    def clean_options(self) -> dict[str, Any]:
        text = self.cleaned_data.get("options") or "{}"
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("Not valid JSON: %(error)s"), params={"error": exc.msg}
            ) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Parser options must be a JSON object."))
        return value


class UploadForm(forms.Form):
    """A feed file to ingest."""

    file = forms.FileField(label=_("Feed file"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 512 MiB."))
        return upload


class ChartForm(forms.Form):
    """Which dimension and period the charts show."""

    dimension = forms.ChoiceField(
        label=_("By"), choices=Dimension.choices, required=False, initial=Dimension.CATEGORY
    )
    days = forms.TypedChoiceField(
        label=_("Days"),
        choices=[(days, str(days)) for days in CHART_DAYS],
        coerce=int,
        required=False,
        initial=DEFAULT_CHART_DAYS,
    )
