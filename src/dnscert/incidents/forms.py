"""Forms of the incident pages; each hands clean values to a service function."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP, Role, Severity
from dnscert.directory.models import Organisation
from dnscert.incidents.choices import (
    IncidentStatus,
    IndicatorKind,
    ParticipantRole,
    ParticipantStatus,
)
from dnscert.incidents.lifecycle import allowed_next
from dnscert.incidents.models import Incident
from dnscert.incidents.taxonomy import category_choices

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def team_members() -> QuerySet[Any]:
    """Active staff and responders, who can be assigned incidents and own tasks."""
    return (
        get_user_model()
        .objects.filter(Q(role__in=[Role.STAFF, Role.RESPONDER]) | Q(is_superuser=True))
        .filter(is_active=True)
        .order_by("username")
    )


class IncidentForm(forms.Form):
    """Open an incident (or edit its headline fields)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=category_choices)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM
    )
    tlp = forms.ChoiceField(label="TLP", choices=TLP.choices, initial=TLP.AMBER)
    reporter_email = forms.EmailField(label=_("Reporter e-mail"), required=False)
    owner_organisation = forms.ModelChoiceField(
        label=_("Reporting organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
    )


class EditIncidentForm(forms.Form):
    """Change an incident's headline fields."""

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=category_choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    tlp = forms.ChoiceField(label="TLP", choices=TLP.choices)


class TransitionForm(forms.Form):
    """Move the incident to one of the statuses the lifecycle allows next."""

    status = forms.ChoiceField(label=_("New status"), choices=IncidentStatus.choices)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, incident: Incident | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if incident is not None:
            labels = dict(IncidentStatus.choices)
            self.fields["status"].choices = [  # type: ignore[attr-defined]
                (status.value, labels[status.value]) for status in allowed_next(incident.status)
            ]


class AssignForm(forms.Form):
    """Pick the incident's assignee among staff and responders (empty: unassigned)."""

    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=team_members(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = team_members()  # type: ignore[attr-defined]


class JournalForm(forms.Form):
    """A note in the journal with its own TLP label."""

    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    tlp = forms.ChoiceField(label="TLP", choices=TLP.choices, initial=TLP.AMBER)


class ParticipantForm(forms.Form):
    """Add an organisation as a participant."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name")
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=ParticipantRole.choices, initial=ParticipantRole.AFFECTED
    )
    notify = forms.BooleanField(label=_("Notify its 24x7 contacts"), required=False, initial=True)


class ParticipantStatusForm(forms.Form):
    """A participant sets its own status, with an optional note."""

    status = forms.ChoiceField(label=_("Our status"), choices=ParticipantStatus.choices)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    tlp = forms.ChoiceField(label="TLP", choices=TLP.choices, initial=TLP.AMBER)


class TaskForm(forms.Form):
    """A task with an owner (person or participant organisation) and a due time."""

    title = forms.CharField(label=_("Task"), max_length=200)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=team_members(), required=False)
    owner_organisation = forms.ModelChoiceField(
        label=_("Owner organisation"), queryset=Organisation.objects.none(), required=False
    )
    due_at = forms.DateTimeField(label=_("Due"), required=False, widget=DATETIME_INPUT)

    def __init__(self, *args: Any, incident: Incident | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = team_members()  # type: ignore[attr-defined]
        if incident is not None:
            organisations = Organisation.objects.filter(
                incident_participations__incident=incident
            ).order_by("name")
            self.fields["owner_organisation"].queryset = organisations  # type: ignore[attr-defined]


class IndicatorForm(forms.Form):
    """An indicator: its kind and value (normalised by the service)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=IndicatorKind.choices)
    value = forms.CharField(label=_("Value"), max_length=2048)
