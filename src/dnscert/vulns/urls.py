"""URL routes of vulnerability coordination: ``/vulns/`` for cases, ``/report/vulnerability/``."""

from django.urls import URLPattern, path

from dnscert.vulns import views

app_name = "vulns"
_case = "vulns/<str:reference>/"
urlpatterns: list[URLPattern] = [
    path("report/vulnerability/", views.report_form, name="report"),
    path("vulns/", views.case_list, name="case-list"),
    path("vulns/new/", views.case_create, name="case-create"),
    path("vulns/metrics/", views.metrics_page, name="metrics"),
    path("vulns/mine/", views.my_cases, name="my-cases"),
    path(_case, views.case_detail, name="case-detail"),
    path(_case + "vendors/", views.vendor_list, name="vendor-list"),
    path(_case + "checklist/", views.checklist, name="checklist"),
    path(_case + "attachments/<int:pk>/", views.attachment, name="attachment"),
    path(_case + "messages/", views.post_message, name="post-message"),
    path(_case + "messages/<int:pk>/views/", views.message_views, name="message-views"),
    path(_case + "vendors/<int:pk>/status/", views.vendor_status, name="vendor-status"),
    path(_case + "vendors/<int:pk>/notify/", views.notify_vendor, name="notify-vendor"),
    path(_case + "vendors/<int:pk>/remove/", views.remove_vendor, name="remove-vendor"),
    path(_case + "vendors/notify-all/", views.notify_all, name="notify-all"),
    path(_case + "vendors/add/", views.add_vendor, name="add-vendor"),
    path(_case + "products/", views.add_product, name="add-product"),
    path(
        _case + "products/<int:pk>/add-vendors/",
        views.add_product_vendors,
        name="add-product-vendors",
    ),
    path(_case + "edit/", views.case_edit, name="case-edit"),
    path(_case + "embargo/", views.set_embargo, name="set-embargo"),
    path(_case + "early-release/", views.early_release, name="early-release"),
    path(_case + "publish/", views.publish, name="publish"),
    path(_case + "status/", views.transition, name="transition"),
    path(_case + "cve/", views.request_cve, name="request-cve"),
    path(_case + "cve/<int:pk>/reserved/", views.cve_reserved, name="cve-reserved"),
    path(_case + "reporters/", views.add_reporter, name="add-reporter"),
]
