"""URL routes of intake: ``/report/`` for reporters, ``/intake/`` for the triage team."""

from django.urls import path

from dnscert.incidents.intake import views

app_name = "intake"
urlpatterns = [
    path("report/", views.report_form, name="report"),
    path("report/member/", views.member_report_form, name="member-report"),
    path("report/thanks/", views.thanks, name="thanks"),
    path("report/pgp-key.asc", views.public_key, name="public-key"),
    path("intake/", views.queue, name="queue"),
    path("intake/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("intake/<str:reference>/", views.detail, name="detail"),
    path("intake/<str:reference>/raw/", views.raw, name="raw"),
    path("intake/<str:reference>/create-incident/", views.create_incident, name="create-incident"),
    path("intake/<str:reference>/attach/", views.attach, name="attach"),
    path("intake/<str:reference>/create-case/", views.create_case, name="create-case"),
    path("intake/<str:reference>/reject/", views.reject, name="reject"),
    path("intake/<str:reference>/duplicate/", views.duplicate, name="duplicate"),
]
