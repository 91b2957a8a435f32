"""Forms of the DNS health pages: grid filters, schedules and planned change windows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dnscert.dnshealth.choices import HealthStatus, TargetKind
from dnscert.dnshealth.models import MonitoringTarget
from dnscert.dnshealth.queries import GridFilter, normalise_name
from dnscert.dnshealth.targets import MAX_INTERVAL_MINUTES

ANY = [("", _("any"))]
#: Up to this many zones, the planned-change form offers them in a list.
MAX_ZONE_CHOICES = 200


class GridFilterForm(forms.Form):
    """Search and filters of the status grid (all optional)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=253)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=ANY + TargetKind.choices)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=ANY + HealthStatus.choices
    )
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations:
            self.fields["organisation"].choices = ANY + organisations  # type: ignore[attr-defined]
        else:
            del self.fields["organisation"]

    def grid_filter(self) -> GridFilter:
        """The filter the grid applies; invalid values are ignored (the form shows why)."""
        if not self.is_bound or not self.is_valid():
            return GridFilter()
        data = self.cleaned_data
        return GridFilter(
            query=data.get("q", ""),
            kind=data.get("kind", ""),
            organisation=data.get("organisation", ""),
            status=data.get("status", ""),
        )


class ScheduleForm(forms.Form):
    """A target's schedule, as staff edit it."""

    reachability_interval = forms.IntegerField(
        label=_("Reachability and SOA every (minutes)"),
        min_value=1,
        max_value=MAX_INTERVAL_MINUTES,
    )
    full_interval = forms.IntegerField(
        label=_("Full check every (minutes)"), min_value=1, max_value=MAX_INTERVAL_MINUTES
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    watch_delegation = forms.BooleanField(label=_("Watch the delegation"), required=False)

    def __init__(self, *args: Any, target: MonitoringTarget, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "reachability_interval": target.reachability_interval,
                "full_interval": target.full_interval,
                "enabled": target.enabled,
                "watch_delegation": target.watch_delegation,
            },
        )
        super().__init__(*args, **kwargs)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


class PlannedChangeForm(forms.Form):
    """A planned delegation change window for one of the user's zones."""

    zone = forms.CharField(label=_("Zone"), max_length=253)
    window_start = forms.DateTimeField(
        label=_("Window start"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    window_end = forms.DateTimeField(
        label=_("Window end"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    expected_ns = forms.CharField(
        label=_("Expected NS set (one per line; empty: any)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expected_ds = forms.CharField(
        label=_("Expected DS records (one per line; empty: any)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, zones: QuerySet[MonitoringTarget], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zones = zones
        names = list(zones.values_list("name", flat=True)[: MAX_ZONE_CHOICES + 1])
        if len(names) <= MAX_ZONE_CHOICES:
            self.fields["zone"].widget = forms.Select(choices=[(name, name) for name in names])
        else:  # staff plan for any of thousands of zones: type the name
            self.fields["zone"].widget = forms.TextInput(attrs={"placeholder": "example.xa."})

    def clean_zone(self) -> MonitoringTarget:
        name = normalise_name(self.cleaned_data["zone"])
        target = self.zones.filter(name=name).first()
        if target is None:
            raise forms.ValidationError(
                _("You cannot plan changes for %(zone)s."), params={"zone": name}
            )
        return target

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end <= start:
            self.add_error("window_end", _("The window must end after it starts."))
        return data

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of the planning service."""
        data = self.cleaned_data
        return {
            "target": data["zone"],
            "window_start": data["window_start"],
            "window_end": data["window_end"],
            "expected_ns": [normalise_name(name) for name in _lines(data["expected_ns"])],
            "expected_ds": [" ".join(line.split()).upper() for line in _lines(data["expected_ds"])],
            "note": data["note"],
        }
