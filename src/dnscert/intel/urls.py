"""URL routes of threat data: feeds, runs, the event explorer, exports and charts."""

from django.urls import path

from dnscert.intel import views

app_name = "intel"
urlpatterns = [
    path("intel/", views.event_list, name="events"),
    path("intel/events/<int:pk>/", views.event_detail, name="event"),
    path("intel/events/export/", views.event_export, name="events-export"),
    path("intel/charts/", views.charts, name="charts"),
    path("intel/charts/data.json", views.chart_data, name="chart-data"),
    path("intel/feeds/", views.feed_list, name="feeds"),
    path("intel/feeds/new/", views.feed_edit, name="feed-new"),
    path("intel/feeds/<int:pk>/", views.feed_detail, name="feed"),
    path("intel/feeds/<int:pk>/edit/", views.feed_edit, name="feed-edit"),
    path("intel/feeds/<int:pk>/run/", views.feed_run, name="feed-run"),
    path("intel/feeds/<int:pk>/upload/", views.feed_upload, name="feed-upload"),
    path("intel/runs/<int:pk>/", views.run_detail, name="run"),
]
