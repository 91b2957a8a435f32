"""URL routes of the directory, mounted at ``/directory/`` in the ``directory`` namespace."""

from django.urls import path

from dnscert.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<slug:short_name>/", views.organisation_detail, name="organisation-detail"),
    path(
        "organisations/<slug:short_name>/edit/", views.organisation_edit, name="organisation-edit"
    ),
    path(
        "organisations/<slug:short_name>/contacts/new/",
        views.contact_create,
        name="contact-create",
    ),
    path("organisations/<slug:short_name>/<str:kind>/add/", views.item_add, name="item-add"),
    path(
        "organisations/<slug:short_name>/<str:kind>/<int:pk>/delete/",
        views.item_delete,
        name="item-delete",
    ),
    path("contacts/", views.contact_list, name="contact-list"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact-delete"),
    path("contacts/<int:pk>/verify/", views.contact_verify, name="contact-verify"),
    path("import/", views.import_view, name="import"),
    path("export/", views.export_view, name="export"),
]
