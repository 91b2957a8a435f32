"""URL routes of reachability drills: staff pages, the members' results, the response link."""

from django.urls import path

from dnscert.directory.drills import views

app_name = "drills"
urlpatterns = [
    path("drills/", views.drill_list, name="list"),
    path("drills/new/", views.drill_create, name="create"),
    path("drills/trend.json", views.trend_json, name="trend"),
    path("drills/mine/", views.mine, name="mine"),
    path("drills/<int:pk>/", views.drill_detail, name="detail"),
    path("drills/<int:pk>/probes/", views.drill_probes, name="probes"),
    path("drills/<int:pk>/launch/", views.drill_launch, name="launch"),
    path("drills/<int:pk>/close/", views.drill_close, name="close"),
    path("drills/<int:pk>/results.csv", views.export_csv, name="export-csv"),
    path("drills/<int:pk>/results.json", views.export_json, name="export-json"),
    path("drills/<int:pk>/report.pdf", views.export_pdf, name="export-pdf"),
    path("drills/probes/<int:pk>/phone/", views.probe_phone, name="probe-phone"),
    path("drills/respond/<str:token>/", views.respond, name="respond"),
]
