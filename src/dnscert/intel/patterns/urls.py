"""URL routes of the pattern pages: DGA coordination, registry lists, concentration, alerts."""

from django.urls import path

from dnscert.intel.patterns import views

app_name = "intel_patterns"
urlpatterns = [
    path("patterns/dga/", views.campaign_list, name="campaigns"),
    path("patterns/dga/new/", views.campaign_new, name="campaign-new"),
    path("patterns/dga/<int:pk>/", views.campaign_detail, name="campaign"),
    path("patterns/dga/<int:pk>/progress/", views.campaign_progress, name="campaign-progress"),
    path("patterns/dga/<int:pk>/all.csv", views.campaign_csv, name="campaign-csv"),
    path("patterns/dga/<int:pk>/send/", views.campaign_send, name="campaign-send"),
    path("patterns/lists/<int:pk>/", views.list_detail, name="list"),
    path("patterns/lists/<int:pk>/list.csv", views.list_csv, name="list-csv"),
    path("patterns/lists/<int:pk>/send/", views.list_send, name="list-send"),
    path("patterns/lists/<int:pk>/acknowledge/", views.list_acknowledge, name="list-acknowledge"),
    path("patterns/lists/<int:pk>/coverage/", views.list_coverage, name="list-coverage"),
    path("patterns/ack/<str:token>/", views.acknowledge_by_token, name="acknowledge"),
    path("patterns/mine/", views.mine, name="mine"),
    path("patterns/concentration/", views.concentration_view, name="concentration"),
    path(
        "patterns/concentration/<str:dimension>.csv",
        views.concentration_csv,
        name="concentration-csv",
    ),
    path("patterns/alerts/", views.alert_list, name="alerts"),
    path("patterns/alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("patterns/alerts/<int:pk>/domains.csv", views.alert_csv, name="alert-csv"),
    path("patterns/alerts/<int:pk>/hand-over/", views.alert_hand_over, name="alert-hand-over"),
    path("patterns/alerts/<int:pk>/dismiss/", views.alert_dismiss, name="alert-dismiss"),
]
