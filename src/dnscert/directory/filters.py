"""Search and filters of directory lists, shared by the web pages and the REST API."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from dnscert.directory.choices import Membership, OrganisationKind
from dnscert.directory.models import VERIFICATION_MAX_AGE, Contact, Organisation
from dnscert.directory.validators import LANGUAGE_CODES

LANGUAGE_CHOICES = [(code, code) for code in sorted(LANGUAGE_CODES)]


def stale_cutoff() -> date:
    """Contacts last verified before this date need verifying again."""
    return timezone.localdate() - VERIFICATION_MAX_AGE


class OrganisationFilter(filters.FilterSet):
    """Organisations by free text (name, short name, TLD, IANA id), kind, country, coverage."""

    q = filters.CharFilter(label=_("Search"), method="search")
    kind = filters.ChoiceFilter(label=_("Kind"), choices=OrganisationKind.choices)
    country = filters.CharFilter(label=_("Country"), method="filter_country")
    membership = filters.ChoiceFilter(label=_("Membership"), choices=Membership.choices)
    has_24x7 = filters.BooleanFilter(label=_("Has a 24x7 contact"), method="filter_24x7")

    class Meta:
        model = Organisation
        fields = ["q", "kind", "country", "membership", "has_24x7"]

    def search(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet:
        text = value.strip()
        if not text:
            return queryset
        condition = (
            Q(name__icontains=text)
            | Q(short_name__icontains=text)
            | Q(zones__name__iexact=text.strip(".").lower() + ".")
        )
        if text.isdigit():
            condition |= Q(iana_id=int(text))
        return queryset.filter(condition).distinct()

    def filter_country(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet:
        return queryset.filter(country=value.strip().upper()) if value.strip() else queryset

    def filter_24x7(self, queryset: QuerySet[Organisation], name: str, value: bool) -> QuerySet:
        covered = Exists(Contact.objects.filter(organisation=OuterRef("pk"), is_24x7=True))
        return queryset.filter(covered) if value else queryset.exclude(covered)


class ContactFilter(filters.FilterSet):
    """Contacts by free text, organisation, organisation kind, 24x7, language and staleness."""

    q = filters.CharFilter(label=_("Search"), method="search")
    organisation = filters.CharFilter(label=_("Organisation"), method="filter_organisation")
    organisation_kind = filters.ChoiceFilter(
        label=_("Organisation kind"),
        field_name="organisation__kind",
        choices=OrganisationKind.choices,
    )
    is_24x7 = filters.BooleanFilter(label=_("24x7"))
    language = filters.ChoiceFilter(
        label=_("Language"), choices=LANGUAGE_CHOICES, method="filter_language"
    )
    stale = filters.BooleanFilter(label=_("Not verified for a year"), method="filter_stale")

    class Meta:
        model = Contact
        fields = ["q", "organisation", "organisation_kind", "is_24x7", "language", "stale"]

    def search(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(name__icontains=text)
            | Q(email__icontains=text)
            | Q(role__icontains=text)
            | Q(organisation__name__icontains=text)
        )

    def filter_organisation(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet:
        """By organisation short name or id."""
        text = value.strip().lower()
        if text.isdigit():
            return queryset.filter(organisation_id=int(text))
        return queryset.filter(organisation__short_name=text)

    def filter_language(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet:
        # JSON text search works on SQLite and PostgreSQL alike.
        return queryset.filter(languages__icontains=f'"{value}"')

    def filter_stale(self, queryset: QuerySet[Contact], name: str, value: bool) -> QuerySet:
        stale = Q(last_verified__isnull=True) | Q(last_verified__lt=stale_cutoff())
        return queryset.filter(stale) if value else queryset.exclude(stale)


class OwnedFilter(filters.FilterSet):
    """Things an organisation runs, by organisation short name or id."""

    organisation = filters.CharFilter(label=_("Organisation"), method="filter_organisation")

    owner_field = "organisation"

    def filter_organisation(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = value.strip().lower()
        if text.isdigit():
            return queryset.filter(**{f"{self.owner_field}_id": int(text)})
        return queryset.filter(**{f"{self.owner_field}__short_name": text})


class ProductFilter(OwnedFilter):
    """Products by vendor (``organisation``) and kind."""

    owner_field = "vendor"
    kind = filters.CharFilter(label=_("Kind"))
