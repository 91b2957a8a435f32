"""Web pages of incidents: the queue, the create form, the incident page and the portal list.

Views are thin: objects come through :mod:`dnscert.incidents.queries` (the TLP rule), changes
through :mod:`dnscert.incidents.services`. Actions are POST forms that redirect back to the
incident page; with htmx they swap the page's main area in place.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dnscert.core import audit
from dnscert.core.choices import Role
from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import role_required, signin_required
from dnscert.incidents import export, queries, services, sla
from dnscert.incidents.filters import IncidentFilter
from dnscert.incidents.forms import (
    AssignForm,
    EditIncidentForm,
    IncidentForm,
    IndicatorForm,
    JournalForm,
    ParticipantForm,
    ParticipantStatusForm,
    TaskForm,
    TransitionForm,
)
from dnscert.incidents.indicators import suggestions_for
from dnscert.incidents.models import Incident, Participant

LIST_PAGE_SIZE = 50
team_required = role_required(Role.STAFF, Role.RESPONDER)


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page:
    return Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, vs in request.GET.lists() if k != "page" for v in vs if v])


# --- the queue -----------------------------------------------------------------------------


@team_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """The incident queue: searchable, filterable, overdue ones highlighted; CSV/JSON export."""
    rows = sla.with_overdue(queries.incident_list(request.user))
    incident_filter = IncidentFilter(request.GET, queryset=rows)
    wanted = request.GET.get("format", "")
    if wanted in ("csv", "json"):
        return _export(request, incident_filter.qs, wanted)
    return render(
        request,
        "incidents/list.html",
        {
            "filter": incident_filter,
            "page": _page(request, incident_filter.qs),
            "query": _query_without_page(request),
            "can_create": queries.can_create(request.user),
        },
    )


def _export(request: HttpRequest, rows: QuerySet[Incident], wanted: str) -> HttpResponse:
    incidents = list(rows)
    audit.record(
        request.user,
        audit.Action.EXPORT,
        None,
        changes={"format": wanted, "count": len(incidents)},
        object_repr=f"incidents ({len(incidents)})",
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    if wanted == "csv":
        response = HttpResponse(export.to_csv(incidents), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(export.to_json(incidents), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="incidents-{stamp}.{wanted}"'
    return response


@team_required
def incident_create(request: HttpRequest) -> HttpResponseBase:
    """Open a new incident."""
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.create_incident(
                title=data["title"],
                summary=data["summary"],
                category=data["category"],
                severity=data["severity"],
                tlp=data["tlp"],
                by=request.user,
                reporter_email=data["reporter_email"],
                owner_organisation=data["owner_organisation"],
            )
        except InvalidInput as error:
            form.add_error(_field(form, error.field), error.problem)
        else:
            messages.success(request, _("Incident %(ref)s opened.") % {"ref": incident.reference})
            return redirect(incident)
    return render(request, "incidents/create.html", {"form": form})


def _field(form: Any, name: str) -> str | None:
    return name if name in form.fields else None


# --- the portal ----------------------------------------------------------------------------


@role_required(Role.MEMBER)
def portal(request: HttpRequest) -> HttpResponse:
    """The incidents the member's organisation takes part in, as TLP allows."""
    rows = queries.portal_incidents(request.user).select_related("assignee")
    return render(
        request,
        "incidents/portal.html",
        {"page": _page(request, rows), "organisation": request.user.organisation},  # type: ignore[union-attr]
    )


# --- one incident --------------------------------------------------------------------------


@signin_required
def incident_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The incident page: clocks, timeline, participants, tasks, indicators, deliveries."""
    incident = queries.get_incident(request.user, reference)
    audit.record_read(request.user, incident)
    return render(request, "incidents/detail.html", detail_context(request, incident))


def detail_context(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    """Everything the incident page shows to this viewer."""
    user = request.user
    manage = queries.can_manage(user, incident)
    participant = queries.participation(user, incident)
    context: dict[str, Any] = {
        "incident": incident,
        "can_manage": manage,
        "participant": participant,
        "clocks": sla.clocks(incident),
        "journal": queries.visible_journal(user, incident),
        "participants": incident.participants.select_related("organisation"),
        "tasks": queries.visible_tasks(user).filter(incident=incident),
        "indicators": incident.indicators.all(),
        "journal_form": JournalForm(initial={"tlp": incident.tlp}),
    }
    if manage:
        context.update(_manager_context(incident))
    if participant is not None:
        context["status_form"] = ParticipantStatusForm(
            initial={"status": participant.status, "tlp": incident.tlp}
        )
    return context


def _manager_context(incident: Incident) -> dict[str, Any]:
    from dnscert.delivery.services import messages_about

    taking_part = set(incident.participants.values_list("organisation_id", flat=True))
    indicator_rows = [
        (
            indicator,
            [s for s in suggestions_for(indicator) if s.organisation.pk not in taking_part],
        )
        for indicator in incident.indicators.all()
    ]
    return {
        "indicator_rows": indicator_rows,
        "deliveries": messages_about(incident)[:100],
        # Reverse relation of the intake app (which depends on incidents, not the other way).
        "intake_reports": incident.intake_reports.order_by("-received_at")[:50],
        "transition_form": TransitionForm(incident=incident),
        "assign_form": AssignForm(initial={"assignee": incident.assignee_id}),
        "participant_form": ParticipantForm(),
        "task_form": TaskForm(incident=incident),
        "indicator_form": IndicatorForm(),
    }


def _managed(request: HttpRequest, reference: str) -> Incident:
    incident = queries.get_incident(request.user, reference)
    if not queries.can_manage(request.user, incident):
        raise PermissionDenied(_("Only staff and the assigned responders manage this incident."))
    return incident


def _back(request: HttpRequest, incident: Incident, done: str | None = None) -> HttpResponse:
    if done:
        messages.success(request, done)
    return redirect(incident)


def _refused(request: HttpRequest, incident: Incident, error: InvalidInput) -> HttpResponse:
    messages.error(request, f"{error.field}: {error.problem}")
    return redirect(incident)


def _form_refused(request: HttpRequest, incident: Incident, form: Any) -> HttpResponse:
    for field, errors in form.errors.items():
        messages.error(request, f"{field}: {' '.join(errors)}")
    return redirect(incident)


@require_POST
@team_required
def incident_transition(request: HttpRequest, reference: str) -> HttpResponse:
    """Move the incident to another status (the buttons of the incident page)."""
    incident = _managed(request, reference)
    new = request.POST.get("status", "")
    try:
        services.transition(incident, new, by=request.user, note=request.POST.get("note", ""))
    except InvalidInput as error:
        return _refused(request, incident, error)
    return _back(
        request, incident, _("Status is now %(s)s.") % {"s": incident.get_status_display()}
    )


@require_POST
@team_required
def incident_assign(request: HttpRequest, reference: str) -> HttpResponse:
    """Set or clear the assignee."""
    incident = _managed(request, reference)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, incident, form)
    try:
        services.assign(incident, form.cleaned_data["assignee"], by=request.user)
    except InvalidInput as error:
        return _refused(request, incident, error)
    return _back(request, incident, _("Assignee saved."))


@team_required
def incident_edit(request: HttpRequest, reference: str) -> HttpResponseBase:
    """Edit title, summary, category, severity and TLP."""
    incident = _managed(request, reference)
    initial = {f: getattr(incident, f) for f in services.EDITABLE_FIELDS}
    form = EditIncidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_incident(incident, by=request.user, **form.cleaned_data)
        except InvalidInput as error:
            form.add_error(_field(form, error.field), error.problem)
        else:
            return _back(request, incident, _("Incident saved."))
    return render(request, "incidents/edit.html", {"form": form, "incident": incident})


@require_POST
@signin_required
def journal_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Post to the journal: a note by the team, an update by a participant organisation."""
    incident = queries.get_incident(request.user, reference)
    form = JournalForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, incident, form)
    text, tlp = form.cleaned_data["text"], form.cleaned_data["tlp"]
    participant = queries.participation(request.user, incident)
    try:
        if queries.can_manage(request.user, incident):
            services.add_journal_entry(incident, text=text, tlp=tlp, author=request.user)
        elif participant is not None:
            services.post_participant_update(participant, text=text, tlp=tlp, by=request.user)
        else:
            raise PermissionDenied(_("You may not post to this incident's journal."))
    except InvalidInput as error:
        return _refused(request, incident, error)
    return _back(request, incident, _("Journal entry added."))


# --- participants --------------------------------------------------------------------------


@require_POST
@team_required
def participant_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Add an organisation as participant (and notify it unless unticked)."""
    incident = _managed(request, reference)
    form = ParticipantForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, incident, form)
    data = form.cleaned_data
    return _add_participant(request, incident, data["organisation"], data["role"], data["notify"])


@require_POST
@team_required
def participant_suggested(request: HttpRequest, reference: str, organisation: int) -> HttpResponse:
    """One click: add an organisation the indicators suggest, and notify it."""
    incident = _managed(request, reference)
    from dnscert.directory.models import Organisation

    found = get_object_or_404(Organisation, pk=organisation)
    return _add_participant(request, incident, found, request.POST.get("role", "affected"), True)


def _add_participant(
    request: HttpRequest, incident: Incident, organisation: Any, role: str, notify: bool
) -> HttpResponse:
    try:
        services.add_participant(incident, organisation, by=request.user, role=role, notify=notify)
    except InvalidInput as error:
        return _refused(request, incident, error)
    return _back(request, incident, _("%(org)s added.") % {"org": organisation.name})


def _participant(incident: Incident, pk: int) -> Participant:
    return get_object_or_404(incident.participants.select_related("organisation"), pk=pk)


@require_POST
@team_required
def participant_notify(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Send the notification to the participant's 24x7 contacts (again)."""
    incident = _managed(request, reference)
    participant = _participant(incident, pk)
    sent = services.notify_participant(participant, by=request.user)
    return _back(request, incident, _("%(n)d notification(s) queued.") % {"n": len(sent)})


@require_POST
@team_required
def participant_remove(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Take an organisation off the incident."""
    incident = _managed(request, reference)
    services.remove_participant(_participant(incident, pk), by=request.user)
    return _back(request, incident, _("Participant removed."))


@require_POST
@signin_required
def participant_status(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """A participant (its members, or the team) sets the participant's own status."""
    incident = queries.get_incident(request.user, reference)
    participant = _participant(incident, pk)
    own = queries.participation(request.user, incident)
    if not (queries.can_manage(request.user, incident) or (own and own.pk == participant.pk)):
        raise PermissionDenied(_("Only members of this participant may change its status."))
    form = ParticipantStatusForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, incident, form)
    data = form.cleaned_data
    try:
        services.set_participant_status(
            participant, data["status"], by=request.user, note=data["note"], tlp=data["tlp"]
        )
    except InvalidInput as error:
        return _refused(request, incident, error)
    return _back(request, incident, _("Status saved."))


# --- tasks and indicators ------------------------------------------------------------------


@require_POST
@team_required
def task_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Add a task."""
    incident = _managed(request, reference)
    form = TaskForm(request.POST, incident=incident)
    if not form.is_valid():
        return _form_refused(request, incident, form)
    try:
        services.add_task(incident, by=request.user, **form.cleaned_data)
    except InvalidInput as error:
        return _refused(request, incident, error)
    return _back(request, incident, _("Task added."))


@require_POST
@signin_required
def task_done(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Mark a task done (or not done with ``done=0``): the team, or its owner organisation."""
    incident = queries.get_incident(request.user, reference)
    task = get_object_or_404(queries.visible_tasks(request.user).filter(incident=incident), pk=pk)
    if not queries.can_manage(request.user, incident) and queries.is_team(request.user):
        raise PermissionDenied(_("Only staff and the assigned responders manage this incident."))
    services.complete_task(task, by=request.user, done=request.POST.get("done", "1") != "0")
    return _back(request, incident, _("Task saved."))


@require_POST
@team_required
def indicator_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Add an indicator; the page then shows the organisations it suggests."""
    incident = _managed(request, reference)
    form = IndicatorForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, incident, form)
    try:
        services.add_indicator(incident, by=request.user, **form.cleaned_data)
    except InvalidInput as error:
        return _refused(request, incident, error)
    return _back(request, incident, _("Indicator added."))


@require_POST
@team_required
def indicator_remove(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Remove an indicator recorded by mistake."""
    incident = _managed(request, reference)
    services.remove_indicator(get_object_or_404(incident.indicators, pk=pk), by=request.user)
    return _back(request, incident, _("Indicator removed."))
