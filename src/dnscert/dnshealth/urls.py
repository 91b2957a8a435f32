"""URL routes of the DNS health dashboard and the public status page."""

from django.urls import path

from dnscert.dnshealth import views

app_name = "dnshealth"
urlpatterns = [
    path("dns/", views.dashboard, name="dashboard"),
    path("dns/zones/<str:name>/", views.zone_detail, name="zone"),
    path("dns/zones/<str:name>/charts/<slug:chart>.json", views.zone_chart, name="zone-chart"),
    path("dns/problems/", views.problems, name="problems"),
    path("dns/changes/", views.changes, name="changes"),
    path(
        "dns/changes/<int:pk>/acknowledge/",
        views.change_acknowledge,
        name="change-acknowledge",
    ),
    path("dns/planned/", views.planned_changes, name="planned"),
    path("dns/targets/", views.targets, name="targets"),
    path("dns/targets/<int:pk>/", views.target_detail, name="target"),
    path("dns/targets/<int:pk>/schedule/", views.target_schedule, name="target-schedule"),
    path("status/", views.public_status, name="public-status"),
    path("status.json", views.public_status_json, name="public-status-json"),
]
