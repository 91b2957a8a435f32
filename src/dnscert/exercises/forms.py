"""Forms of exercises: the exercise, its participants, injects, answers and the report.

Times are entered in UTC (the exercise clock is UTC; e-mails and pages say so).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP, Role
from dnscert.core.exceptions import InvalidInput
from dnscert.directory.models import Contact, Organisation
from dnscert.exercises import schedule
from dnscert.exercises.choices import ObjectiveResult
from dnscert.exercises.models import Exercise, Participant

DATETIME = {"type": "datetime-local"}


def _utc(value: datetime | None) -> datetime | None:
    """A naive time from a datetime-local field read as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def staff_users() -> Any:
    return (
        get_user_model()
        .objects.filter(Q(role=Role.STAFF) | Q(is_superuser=True), is_active=True)
        .order_by("username")
    )


class ExerciseForm(forms.Form):
    """Title, scenario, objectives (one per line), TLP, planned start and control team."""

    title = forms.CharField(label=_("Title"), max_length=200)
    scenario = forms.CharField(label=_("Scenario"), widget=forms.Textarea, required=False)
    objectives = forms.CharField(
        label=_("Objectives"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One objective per line."),
    )
    tlp = forms.ChoiceField(label="TLP", choices=TLP.choices, initial=TLP.AMBER)
    planned_start = forms.DateTimeField(
        label=_("Planned start (UTC)"), widget=forms.DateTimeInput(attrs=DATETIME)
    )
    control_team = forms.ModelMultipleChoiceField(
        label=_("Control team"), queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["control_team"]
        field.queryset = staff_users()

    def clean_planned_start(self) -> datetime | None:
        return _utc(self.cleaned_data.get("planned_start"))

    @staticmethod
    def initial_of(exercise: Exercise) -> dict[str, Any]:
        return {
            "title": exercise.title,
            "scenario": exercise.scenario,
            "objectives": "\n".join(o.text for o in exercise.objectives.all()),
            "tlp": exercise.tlp,
            "planned_start": exercise.planned_start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"),
            "control_team": list(exercise.control_team.all()),
        }


class ParticipantForm(forms.Form):
    """An organisation and the contacts who play for it (its 24x7 contacts when none)."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name")
    )
    contacts = forms.ModelMultipleChoiceField(
        label=_("Contacts who play"),
        queryset=Contact.objects.select_related("organisation").order_by(
            "organisation__name", "name"
        ),
        required=False,
        help_text=_("Leave empty to use the organisation's 24x7 contacts."),
    )


class InjectForm(forms.Form):
    """An inject: when (offset or absolute time), what, to whom, and what is expected."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea)
    offset = forms.CharField(
        label=_("Offset from start"),
        max_length=40,
        required=False,
        help_text=_("For example +0:30, 90m or 1h 30m."),
    )
    at = forms.DateTimeField(
        label=_("Or absolute time (UTC)"),
        widget=forms.DateTimeInput(attrs=DATETIME),
        required=False,
    )
    expected_action = forms.CharField(
        label=_("Expected action"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    response_required = forms.BooleanField(
        label=_("Response required"), required=False, initial=True
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("Recipients"),
        queryset=Participant.objects.none(),
        required=False,
        help_text=_("Leave empty to send to every participant."),
    )

    def __init__(self, *args: Any, exercise: Exercise, ad_hoc: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["recipients"]
        field.queryset = exercise.participants.select_related("organisation")
        if ad_hoc:
            del self.fields["offset"]
            del self.fields["at"]

    def clean_offset(self) -> Any:
        text = self.cleaned_data.get("offset", "")
        if not text.strip():
            return None
        try:
            return schedule.parse_offset(text)
        except InvalidInput as error:
            raise forms.ValidationError(error.problem) from None

    def clean_at(self) -> datetime | None:
        return _utc(self.cleaned_data.get("at"))


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Observer note"), widget=forms.Textarea(attrs={"rows": 3}))


class ObjectiveForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=ObjectiveResult.choices, required=False)
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False)


class LessonsForm(forms.Form):
    text = forms.CharField(
        label=_("Lessons learned"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
