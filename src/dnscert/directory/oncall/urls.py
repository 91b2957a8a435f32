"""URL routes of on-call: rotas and shifts, coverage, who is on call, pages, acknowledgement."""

from django.urls import path

from dnscert.directory.oncall import views

app_name = "oncall"
urlpatterns = [
    path("oncall/", views.overview, name="overview"),
    path("oncall/rotas/new/", views.rota_edit, name="rota-create"),
    path("oncall/rotas/<int:pk>/", views.rota_detail, name="rota-detail"),
    path("oncall/rotas/<int:pk>/edit/", views.rota_edit, name="rota-edit"),
    path("oncall/rotas/<int:pk>/shifts/add/", views.shift_add, name="shift-add"),
    path("oncall/rotas/<int:pk>/patterns/add/", views.pattern_add, name="pattern-add"),
    path("oncall/shifts/<int:pk>/delete/", views.shift_delete, name="shift-delete"),
    path("oncall/patterns/<int:pk>/delete/", views.pattern_delete, name="pattern-delete"),
    path("oncall/policies/", views.policy_list, name="policy-list"),
    path("oncall/policies/new/", views.policy_edit, name="policy-create"),
    path("oncall/policies/<int:pk>/edit/", views.policy_edit, name="policy-edit"),
    path("oncall/coverage/", views.coverage_view, name="coverage"),
    path("oncall/pages/", views.page_list, name="page-list"),
    path("oncall/pages/export.csv", views.page_export, name="page-export"),
    path("oncall/pages/<int:pk>/", views.page_detail, name="page-detail"),
    path("oncall/pages/<int:pk>/acknowledge/", views.page_acknowledge, name="page-acknowledge"),
    path("oncall/ack/<str:token>/", views.ack_by_link, name="ack"),
]
