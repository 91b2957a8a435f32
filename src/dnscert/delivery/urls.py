"""URL routes of delivery: the staff queue and the platform's public PGP key."""

from django.urls import path

from dnscert.delivery import views

app_name = "delivery"
urlpatterns = [
    path("delivery/", views.queue, name="queue"),
    path("delivery/export.csv", views.queue_export, name="export"),
    path("delivery/<int:pk>/", views.message_detail, name="message"),
    path("delivery/<int:pk>/retry/", views.message_retry, name="message-retry"),
    path("pgp-key.asc", views.pgp_key, name="pgp-key"),
]
