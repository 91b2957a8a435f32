"""Forms of the on-call pages; they check types, the services check meaning."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import Role
from dnscert.directory.oncall.choices import RotaKind
from dnscert.directory.oncall.models import EscalationPolicy, Rota
from dnscert.directory.oncall.rotas import time_zone_choices, zone

WEEKDAY_CHOICES = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
LOCAL_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def team_members() -> QuerySet[Any]:
    """Active staff and responders: the people who can be on call."""
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(Q(role__in=[Role.STAFF, Role.RESPONDER]) | Q(is_superuser=True)).order_by(
        "username"
    )


class ResponderField(forms.ModelChoiceField):
    """A team member, shown with their time zone."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.get_username()} ({obj.time_zone})"


class TimeZoneField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=time_zone_choices, **kwargs)


class RotaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=RotaKind.choices)
    time_zone = TimeZoneField(label=_("Time zone"), initial="UTC")
    policy = forms.ModelChoiceField(label=_("Escalation policy"), queryset=EscalationPolicy.objects)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    webhook_url = forms.URLField(label=_("Webhook URL"), required=False, assume_scheme="https")
    webhook_secret = forms.CharField(
        label=_("Webhook secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current secret."),
    )


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    on_call_minutes = forms.IntegerField(label=_("Minutes for the on-call responders"), initial=15)
    backup_rota = forms.ModelChoiceField(
        label=_("Backup rota"),
        queryset=Rota.objects.filter(kind=RotaKind.BACKUP),
        required=False,
    )
    backup_responders = forms.ModelMultipleChoiceField(
        label=_("Backup responders"), queryset=team_members(), required=False
    )
    backup_minutes = forms.IntegerField(label=_("Minutes for the backup"), initial=15)
    expire_hours = forms.IntegerField(label=_("Hours before a page expires"), initial=24)
    max_shift_hours = forms.IntegerField(label=_("Longest shift in hours"), initial=24)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["backup_responders"].queryset = team_members()  # type: ignore[attr-defined]


class ShiftForm(forms.Form):
    """One shift, entered in the chosen time zone's local time."""

    responder = ResponderField(label=_("Responder"), queryset=get_user_model().objects.none())
    start = forms.DateTimeField(label=_("Start"), widget=LOCAL_INPUT)
    end = forms.DateTimeField(label=_("End"), widget=LOCAL_INPUT)
    time_zone = TimeZoneField(label=_("Time zone of these times"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, responders: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responder"].queryset = responders  # type: ignore[attr-defined]

    def aware(self, name: str) -> datetime:
        """The entered local time ``name`` in the entered time zone."""
        value: datetime = self.cleaned_data[name]
        wall = timezone.make_naive(value) if timezone.is_aware(value) else value
        tz: ZoneInfo = zone(self.cleaned_data["time_zone"])
        return wall.replace(tzinfo=tz)


class PatternForm(forms.Form):
    """A weekly pattern, e.g. Mon-Fri 08:00-16:00 in the responder's time zone."""

    responder = ResponderField(label=_("Responder"), queryset=get_user_model().objects.none())
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(label=_("End time"), widget=forms.TimeInput(attrs={"type": "time"}))
    time_zone = TimeZoneField(
        label=_("Time zone"),
        required=False,
        help_text=_("Empty: the responder's own time zone."),
    )
    weeks = forms.IntegerField(label=_("Weeks to plan"), initial=4, min_value=1, max_value=52)

    def __init__(self, *args: Any, responders: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responder"].queryset = responders  # type: ignore[attr-defined]
        self.fields["time_zone"].choices = [("", "—"), *time_zone_choices()]  # type: ignore[attr-defined]


class CoverageForm(forms.Form):
    weeks = forms.IntegerField(
        label=_("Weeks"), min_value=1, max_value=52, initial=4, required=False
    )
    rota = forms.ModelChoiceField(
        label=_("Rota"),
        queryset=Rota.objects.filter(active=True),
        required=False,
        empty_label=_("All primary rotas"),
    )
