"""URL routes of watch and warning."""

from django.urls import URLPattern, path

from dnscert.advisories.warnings import feeds, views

app_name = "warnings"
urlpatterns: list[URLPattern] = [
    path("warnings/", views.warning_list, name="list"),
    path("warnings/review/", views.review_queue, name="review"),
    path("warnings/rules/", views.rule_list, name="rules"),
    path("warnings/rules/<str:name>/", views.rule_update, name="rule-update"),
    path("warnings/subscriptions/", views.subscription_list, name="subscriptions"),
    path("warnings/subscriptions/new/", views.subscription_edit, name="subscription-new"),
    path("warnings/subscriptions/<int:pk>/", views.subscription_edit, name="subscription"),
    path(
        "warnings/subscriptions/<int:pk>/delete/",
        views.subscription_delete,
        name="subscription-delete",
    ),
    path("warnings/ack/<str:token>/", views.ack, name="ack"),
    path("warnings/feed/<str:token>.atom", feeds.feed, name="feed"),
    path("warnings/<str:reference>/", views.warning_detail, name="detail"),
    path(
        "warnings/<str:reference>/acknowledge/", views.staff_acknowledge, name="staff-acknowledge"
    ),
    path(
        "warnings/<str:reference>/approve/",
        views.review,
        {"decision": "approve"},
        name="approve",
    ),
    path(
        "warnings/<str:reference>/reject/",
        views.review,
        {"decision": "reject"},
        name="reject",
    ),
    path("portal/warnings/", views.portal_list, name="portal-list"),
    path("portal/warnings/<str:reference>/", views.portal_detail, name="portal-detail"),
]
