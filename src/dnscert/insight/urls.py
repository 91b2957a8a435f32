"""URL routes of insight: KPIs, summary, after-action reports, feedback survey."""

from django.urls import path

from dnscert.insight import views

app_name = "insight"
urlpatterns = [
    path("insight/", views.dashboard, name="dashboard"),
    path("insight/summary/", views.summary, name="summary"),
    path("insight/kpis.csv", views.kpi_csv, name="kpi-csv"),
    path("insight/quarterly.pdf", views.quarterly_report, name="quarterly"),
    path("insight/reports/", views.report_list, name="reports"),
    path("insight/reports/<str:reference>/", views.report_detail, name="report"),
    path(
        "insight/reports/<str:reference>/generate/", views.report_generate, name="report-generate"
    ),
    path("insight/reports/<str:reference>/edit/", views.report_edit, name="report-edit"),
    path(
        "insight/reports/<str:reference>/after-action.<str:fmt>",
        views.report_export,
        name="report-export",
    ),
    path("insight/feedback/", views.feedback_list, name="feedback-list"),
    path("insight/feedback/<str:token>/", views.survey, name="feedback"),
]
