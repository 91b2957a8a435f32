"""URL routes of incidents."""

from django.urls import path, register_converter

from dnscert.incidents import views


class ReferenceConverter:
    """``DNSCERT-2026-0001`` (any case), so other ``/incidents/...`` pages never collide."""

    regex = "[Dd][Nn][Ss][Cc][Ee][Rr][Tt]-[0-9]{4}-[0-9]{4,6}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "incident_ref")

app_name = "incidents"

REF = "<incident_ref:reference>"

urlpatterns = [
    path("incidents/", views.incident_list, name="list"),
    path("incidents/new/", views.incident_create, name="create"),
    path("incidents/portal/", views.portal, name="portal"),
    path(f"incidents/{REF}/", views.incident_detail, name="detail"),
    path(f"incidents/{REF}/edit/", views.incident_edit, name="edit"),
    path(f"incidents/{REF}/transition/", views.incident_transition, name="transition"),
    path(f"incidents/{REF}/assign/", views.incident_assign, name="assign"),
    path(f"incidents/{REF}/journal/", views.journal_add, name="journal-add"),
    path(f"incidents/{REF}/participants/", views.participant_add, name="participant-add"),
    path(
        f"incidents/{REF}/participants/suggested/<int:organisation>/",
        views.participant_suggested,
        name="participant-suggested",
    ),
    path(
        f"incidents/{REF}/participants/<int:pk>/notify/",
        views.participant_notify,
        name="participant-notify",
    ),
    path(
        f"incidents/{REF}/participants/<int:pk>/remove/",
        views.participant_remove,
        name="participant-remove",
    ),
    path(
        f"incidents/{REF}/participants/<int:pk>/status/",
        views.participant_status,
        name="participant-status",
    ),
    path(f"incidents/{REF}/tasks/", views.task_add, name="task-add"),
    path(f"incidents/{REF}/tasks/<int:pk>/done/", views.task_done, name="task-done"),
    path(f"incidents/{REF}/indicators/", views.indicator_add, name="indicator-add"),
    path(
        f"incidents/{REF}/indicators/<int:pk>/remove/",
        views.indicator_remove,
        name="indicator-remove",
    ),
]
