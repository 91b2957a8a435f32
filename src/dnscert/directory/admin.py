"""Django admin registrations of the directory, read-only.

Every change to the directory goes through a service function so that it is validated,
normalised and written to the audit log; the admin would bypass both, so here it only shows.
Staff change the directory on the directory pages, through the API or by import.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dnscert.directory.models import (
    AutonomousSystem,
    Contact,
    NameserverHost,
    NetworkPrefix,
    Organisation,
    Product,
    Zone,
)


class ReadOnly:
    """Admin mixin: view only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ZoneInline(ReadOnly, admin.TabularInline):
    model = Zone
    extra = 0


class NameserverInline(ReadOnly, admin.TabularInline):
    model = NameserverHost
    extra = 0


class PrefixInline(ReadOnly, admin.TabularInline):
    model = NetworkPrefix
    extra = 0


class AsnInline(ReadOnly, admin.TabularInline):
    model = AutonomousSystem
    extra = 0


class ProductInline(ReadOnly, admin.TabularInline):
    model = Product
    extra = 0


class ContactInline(ReadOnly, admin.StackedInline):
    model = Contact
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "country", "membership", "iana_id"]
    list_filter = ["kind", "membership", "country"]
    search_fields = ["name", "short_name", "zones__name", "iana_id"]
    inlines = [
        ZoneInline,
        NameserverInline,
        PrefixInline,
        AsnInline,
        ProductInline,
        ContactInline,
    ]


@admin.register(Zone)
class ZoneAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "kind", "organisation", "monitored"]
    list_filter = ["kind", "monitored"]
    search_fields = ["name", "organisation__name"]


@admin.register(NameserverHost)
class NameserverHostAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["hostname", "organisation"]
    search_fields = ["hostname", "organisation__name"]


@admin.register(NetworkPrefix)
class NetworkPrefixAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["prefix", "organisation"]
    search_fields = ["prefix", "organisation__name"]


@admin.register(AutonomousSystem)
class AutonomousSystemAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["asn", "organisation"]
    search_fields = ["=asn", "organisation__name"]


@admin.register(Product)
class ProductAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "kind", "vendor"]
    list_filter = ["kind"]
    search_fields = ["name", "vendor__name"]


@admin.register(Contact)
class ContactAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "is_24x7", "is_role_mailbox", "last_verified"]
    list_filter = ["is_24x7", "is_role_mailbox", "organisation__kind"]
    search_fields = ["name", "email", "organisation__name"]
