"""Web pages of the directory: thin views over the access rule, the filters and the services.

Staff see and change everything; responders read everything; members see their own
organisation and may maintain its contacts. Anonymous visitors are sent to sign in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from dnscert.core.permissions import signin_required, staff_required
from dnscert.directory import access, services
from dnscert.directory.filters import ContactFilter, OrganisationFilter
from dnscert.directory.forms import (
    AsnForm,
    ContactForm,
    ImportForm,
    NameserverForm,
    OrganisationForm,
    PrefixForm,
    ProductForm,
    ZoneForm,
    attach_errors,
)
from dnscert.directory.importexport import (
    MAX_IMPORT_BYTES,
    DirectoryImportError,
    ImportSummary,
    export_csv,
    export_json,
    import_directory,
    today_stamp,
)
from dnscert.directory.models import (
    AutonomousSystem,
    Contact,
    NameserverHost,
    NetworkPrefix,
    Organisation,
    Product,
    Zone,
)

PAGE_SIZE = 25


@dataclass(frozen=True)
class ItemKind:
    """One kind of thing an organisation runs, as added and removed on its page."""

    title: Any
    form: type[forms.Form]
    model: type[Any]
    owner: str
    create: Callable[..., Any]
    delete: Callable[..., None]


ITEM_KINDS = {
    "zones": ItemKind(
        _lazy("Zones"), ZoneForm, Zone, "organisation", services.create_zone, services.delete_zone
    ),
    "nameservers": ItemKind(
        _lazy("Nameservers"),
        NameserverForm,
        NameserverHost,
        "organisation",
        services.create_nameserver,
        services.delete_nameserver,
    ),
    "prefixes": ItemKind(
        _lazy("IP prefixes"),
        PrefixForm,
        NetworkPrefix,
        "organisation",
        services.create_prefix,
        services.delete_prefix,
    ),
    "asns": ItemKind(
        _lazy("Autonomous systems"),
        AsnForm,
        AutonomousSystem,
        "organisation",
        services.create_asn,
        services.delete_asn,
    ),
    "products": ItemKind(
        _lazy("Products"),
        ProductForm,
        Product,
        "vendor",
        services.create_product,
        services.delete_product,
    ),
}


def _visible_organisation(request: HttpRequest, short_name: str) -> Organisation:
    return get_object_or_404(access.organisations_visible_to(request.user), short_name=short_name)


def _visible_contact(request: HttpRequest, pk: int) -> Contact:
    return get_object_or_404(access.contacts_visible_to(request.user), pk=pk)


def _query_without_page(request: HttpRequest) -> str:
    params = [(key, value) for key, value in request.GET.items() if key != "page" and value]
    return urlencode(params)


def _page(request: HttpRequest, queryset: QuerySet) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@signin_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Organisations the user may see, searchable and filterable."""
    covered = Exists(Contact.objects.filter(organisation=OuterRef("pk"), is_24x7=True))
    queryset = (
        access.organisations_visible_to(request.user)
        .annotate(contact_count=Count("contacts", distinct=True), covered_24x7=covered)
        .order_by("name")
    )
    organisation_filter = OrganisationFilter(request.GET, queryset=queryset)
    return render(
        request,
        "directory/organisation_list.html",
        {
            "filter": organisation_filter,
            "page": _page(request, organisation_filter.qs),
            "query": _query_without_page(request),
            "can_edit": access.can_edit_directory(request.user),
        },
    )


@signin_required
def organisation_detail(request: HttpRequest, short_name: str) -> HttpResponse:
    """One organisation: what it runs, its contacts, and (for staff) forms to add more."""
    organisation = _visible_organisation(request, short_name)
    can_edit = access.can_edit_organisation(request.user, organisation)
    contacts = organisation.contacts.order_by("-is_24x7", "-is_role_mailbox", "name")
    return render(
        request,
        "directory/organisation_detail.html",
        {
            "organisation": organisation,
            "contacts": contacts,
            "can_edit": can_edit,
            "can_edit_contacts": access.can_edit_contacts(request.user, organisation),
            "sections": [
                {
                    "kind": kind,
                    "title": spec.title,
                    "items": getattr(organisation, kind).all(),  # the kinds are related names
                    "form": spec.form() if can_edit else None,
                }
                for kind, spec in ITEM_KINDS.items()
            ],
        },
    )


def _save_organisation(
    request: HttpRequest, form: OrganisationForm, organisation: Organisation | None
) -> Organisation | None:
    fields = dict(form.cleaned_data)
    clients = fields.pop("clients", [])
    try:
        if organisation is None:
            organisation = services.create_organisation(request.user, **fields)
        else:
            organisation = services.update_organisation(request.user, organisation, **fields)
        services.set_organisation_clients(request.user, organisation, clients)
    except ValidationError as error:
        attach_errors(form, error)
        return None
    return organisation


@staff_required
def organisation_create(request: HttpRequest) -> HttpResponseBase:
    """Add an organisation (staff)."""
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = _save_organisation(request, form, None)
        if organisation is not None:
            messages.success(request, _("Organisation %s added.") % organisation.name)
            return redirect("directory:organisation-detail", short_name=organisation.short_name)
    return render(request, "directory/organisation_form.html", {"form": form})


@staff_required
def organisation_edit(request: HttpRequest, short_name: str) -> HttpResponseBase:
    """Change an organisation's details (staff)."""
    organisation = _visible_organisation(request, short_name)
    # The form works on its own copy so the service sees the unchanged object.
    form = OrganisationForm(
        request.POST or None, instance=Organisation.objects.get(pk=organisation.pk)
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_organisation(request, form, organisation)
        if saved is not None:
            messages.success(request, _("Organisation %s saved.") % saved.name)
            return redirect("directory:organisation-detail", short_name=saved.short_name)
    return render(
        request, "directory/organisation_form.html", {"form": form, "organisation": organisation}
    )


def _service_fields(form: forms.Form) -> dict[str, Any]:
    """The item forms name their cleaned data for the service in ``service_fields()``."""
    service_fields: Callable[[], dict[str, Any]] = getattr(form, "service_fields")  # noqa: B009
    return service_fields()


def _item_kind(kind: str) -> ItemKind:
    if kind not in ITEM_KINDS:
        raise Http404(_("Unknown kind of item."))
    return ITEM_KINDS[kind]


@require_POST
@staff_required
def item_add(request: HttpRequest, short_name: str, kind: str) -> HttpResponseBase:
    """Add a zone, nameserver, prefix, ASN or product to an organisation (staff)."""
    organisation = _visible_organisation(request, short_name)
    spec = _item_kind(kind)
    form = spec.form(request.POST)
    if form.is_valid():
        try:
            item = spec.create(request.user, organisation, **_service_fields(form))
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("%s added.") % item)
            return redirect("directory:organisation-detail", short_name=short_name)
    for problems in form.errors.values():
        for problem in problems:
            messages.error(request, str(problem))
    return redirect("directory:organisation-detail", short_name=short_name)


@require_POST
@staff_required
def item_delete(request: HttpRequest, short_name: str, kind: str, pk: int) -> HttpResponseBase:
    """Remove a zone, nameserver, prefix, ASN or product from an organisation (staff)."""
    organisation = _visible_organisation(request, short_name)
    spec = _item_kind(kind)
    item = get_object_or_404(spec.model, pk=pk, **{spec.owner: organisation})
    spec.delete(request.user, item)
    messages.success(request, _("%s removed.") % item)
    return redirect("directory:organisation-detail", short_name=short_name)


@signin_required
def contact_list(request: HttpRequest) -> HttpResponse:
    """Contacts the user may see, searchable and filterable."""
    contact_filter = ContactFilter(request.GET, queryset=access.contacts_visible_to(request.user))
    return render(
        request,
        "directory/contact_list.html",
        {
            "filter": contact_filter,
            "page": _page(request, contact_filter.qs),
            "query": _query_without_page(request),
            "editable_organisation_ids": _organisations_with_editable_contacts(request.user),
        },
    )


def _organisations_with_editable_contacts(user: Any) -> set[int] | None:
    """Ids of organisations whose contacts ``user`` may edit; None meaning all of them."""
    if access.can_edit_directory(user):
        return None
    organisation = getattr(user, "organisation", None)
    if organisation is not None and access.can_edit_contacts(user, organisation):
        return {organisation.pk}
    return set()


def _require_contact_editor(request: HttpRequest, organisation: Organisation) -> None:
    access.require(
        access.can_edit_contacts(request.user, organisation),
        _("You may only change the contacts of your own organisation."),
    )


@signin_required
def contact_create(request: HttpRequest, short_name: str) -> HttpResponseBase:
    """Add a contact to an organisation (staff, or a member of that organisation)."""
    organisation = _visible_organisation(request, short_name)
    _require_contact_editor(request, organisation)
    form = ContactForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.create_contact(request.user, organisation, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Contact %s added.") % contact.name)
            return redirect("directory:organisation-detail", short_name=short_name)
    return render(
        request, "directory/contact_form.html", {"form": form, "organisation": organisation}
    )


@signin_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Change a contact (staff, or a member of the contact's organisation)."""
    contact = _visible_contact(request, pk)
    _require_contact_editor(request, contact.organisation)
    form = ContactForm(
        request.POST or None,
        instance=Contact.objects.get(pk=contact.pk),
        organisation=contact.organisation,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contact(request.user, contact, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Contact %s saved.") % contact.name)
            return redirect(
                "directory:organisation-detail", short_name=contact.organisation.short_name
            )
    return render(
        request,
        "directory/contact_form.html",
        {"form": form, "organisation": contact.organisation, "contact": contact},
    )


@require_POST
@signin_required
def contact_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Remove a contact (staff, or a member of the contact's organisation)."""
    contact = _visible_contact(request, pk)
    services.delete_contact(request.user, contact)
    messages.success(request, _("Contact %s removed.") % contact.name)
    return redirect("directory:organisation-detail", short_name=contact.organisation.short_name)


@require_POST
@signin_required
def contact_verify(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Mark a contact as verified today."""
    contact = _visible_contact(request, pk)
    services.mark_contact_verified(request.user, contact)
    messages.success(request, _("Contact %s marked as verified today.") % contact.name)
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("directory:organisation-detail", short_name=contact.organisation.short_name)


@staff_required
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or JSON file; show every error, or what was created and updated."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "max_mib": MAX_IMPORT_BYTES // (1024 * 1024)}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_IMPORT_BYTES:
                raise DirectoryImportError(
                    [_("file: larger than the %d MiB import limit.") % context["max_mib"]]
                )
            summary = import_directory(
                request.user,
                upload.read(),
                file_format=form.cleaned_data["file_format"] or None,
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
            )
            context["summary"] = summary
            context["summary_rows"] = summary_rows(summary)
        except DirectoryImportError as error:
            context["errors"] = error.errors
    status = 400 if context.get("errors") else 200
    return render(request, "directory/import.html", context, status=status)


def summary_rows(summary: ImportSummary) -> list[tuple[str, int, int, int]]:
    """(kind, created, updated, unchanged) per kind of object, for the import page."""
    kinds = sorted({*summary.created, *summary.updated, *summary.unchanged})
    return [
        (kind, summary.created[kind], summary.updated[kind], summary.unchanged[kind])
        for kind in kinds
    ]


@signin_required
def export_view(request: HttpRequest) -> HttpResponse:
    """Download what the user may see (narrowed by the list filters) as JSON or CSV."""
    organisations = OrganisationFilter(
        request.GET, queryset=access.organisations_visible_to(request.user)
    ).qs
    file_format = request.GET.get("format", "json")
    if file_format == "json":
        body = json.dumps(export_json(request.user, organisations), indent=2, ensure_ascii=False)
        response = HttpResponse(body + "\n", content_type="application/json; charset=utf-8")
        name = f"directory-{today_stamp()}.json"
    elif file_format == "csv":
        entity = request.GET.get("entity", "organisations")
        if entity not in ("organisations", "contacts"):
            return HttpResponse(_("Unknown CSV file kind."), status=400)
        response = HttpResponse(
            export_csv(request.user, organisations, entity), content_type="text/csv; charset=utf-8"
        )
        name = f"directory-{entity}-{today_stamp()}.csv"
    else:
        return HttpResponse(_("Unknown export format; use json or csv."), status=400)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
