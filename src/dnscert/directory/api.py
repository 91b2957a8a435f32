"""REST API of the directory: organisations, what they run, contacts, and a lookup endpoint.

Reads follow the one access rule (:mod:`dnscert.directory.access`): staff and responders see
everything, members their own organisation. Writes go through the service functions: staff
change everything, members only their own organisation's contacts, responders nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from dnscert.core.permissions import IsSignedIn
from dnscert.core.visibility import is_core_staff, is_signed_in
from dnscert.directory import access, lookups, services
from dnscert.directory.filters import ContactFilter, OrganisationFilter, OwnedFilter, ProductFilter
from dnscert.directory.models import (
    AutonomousSystem,
    Contact,
    NameserverHost,
    NetworkPrefix,
    Organisation,
    Product,
    Zone,
)

# Serializers


class NormalisingSerializer(serializers.ModelSerializer):
    """Normalises input with the directory's validators; problems are 400s naming the field."""

    normalisers: ClassVar[services.Normalisers] = {}

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        present = {name: value[name] for name in self.normalisers if name in value}
        clean, problems = services.normalise_each(present, self.normalisers)
        if problems:
            raise ValidationError(
                {name: [m for e in errors for m in e.messages] for name, errors in problems.items()}
            )
        value.update(clean)
        return value


def _no_model_validators(*names: str) -> dict[str, dict[str, Any]]:
    """The service validates these after normalising; skip the strict model validators here."""
    return {name: {"validators": []} for name in names}


class ZoneSerializer(NormalisingSerializer):
    normalisers = services.ZONE_FIELDS

    class Meta:
        model = Zone
        fields = ["id", "name", "kind", "monitored", "organisation"]
        extra_kwargs = {**_no_model_validators("name"), "kind": {"required": False}}


class NameserverSerializer(NormalisingSerializer):
    normalisers = services.NAMESERVER_FIELDS
    addresses = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = NameserverHost
        fields = ["id", "hostname", "addresses", "organisation"]
        extra_kwargs = _no_model_validators("hostname")


class PrefixSerializer(NormalisingSerializer):
    normalisers = services.PREFIX_FIELDS

    class Meta:
        model = NetworkPrefix
        fields = ["id", "prefix", "organisation"]
        extra_kwargs = _no_model_validators("prefix")


class AsnSerializer(NormalisingSerializer):
    normalisers = services.ASN_FIELDS

    class Meta:
        model = AutonomousSystem
        fields = ["id", "asn", "organisation"]
        extra_kwargs = _no_model_validators("asn")


class ProductSerializer(NormalisingSerializer):
    normalisers = services.PRODUCT_FIELDS

    class Meta:
        model = Product
        fields = ["id", "name", "kind", "cpe", "purl", "vendor"]
        validators: list[Any] = []  # (vendor, name) uniqueness is checked by the service


class ContactSerializer(NormalisingSerializer):
    normalisers = services.CONTACT_FIELDS
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    needs_verification = serializers.BooleanField(read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "organisation",
            "name",
            "is_role_mailbox",
            "role",
            "email",
            "phone",
            "pgp_fingerprint",
            "pgp_key",
            "languages",
            "time_zone",
            "is_24x7",
            "last_verified",
            "needs_verification",
        ]
        extra_kwargs = _no_model_validators("phone", "pgp_fingerprint", "time_zone")
        validators: list[Any] = []  # (organisation, email) uniqueness is checked by the service


class OrganisationSerializer(NormalisingSerializer):
    """An organisation, with a read-only view of everything it runs and its contacts."""

    normalisers = services.ORGANISATION_FIELDS
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    clients = serializers.SlugRelatedField(
        many=True,
        slug_field="short_name",
        queryset=Organisation.objects.all(),
        required=False,
    )
    zones = ZoneSerializer(many=True, read_only=True)
    nameservers = NameserverSerializer(many=True, read_only=True)
    prefixes = PrefixSerializer(many=True, read_only=True)
    asns = AsnSerializer(many=True, read_only=True)
    products = ProductSerializer(many=True, read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "country",
            "languages",
            "time_zone",
            "membership",
            "iana_id",
            "security_txt_url",
            "website",
            "notes",
            "clients",
            "zones",
            "nameservers",
            "prefixes",
            "asns",
            "products",
            "contacts",
        ]
        extra_kwargs = _no_model_validators("country", "time_zone", "short_name", "name", "iana_id")


# Permissions


class ReadSignedInWriteStaff(permissions.BasePermission):
    """Signed-in users read (narrowed by the access rule); only staff write."""

    message = "Only core staff may change the directory."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return is_signed_in(request.user)
        return is_core_staff(request.user)


class ContactPermission(permissions.BasePermission):
    """Signed-in users read; staff and members write (members: own organisation only)."""

    message = "Responders read the directory but do not change it."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return is_signed_in(request.user)
        if is_core_staff(request.user):
            return True
        return is_signed_in(request.user) and not access.sees_whole_directory(request.user)


# Viewsets


class DirectoryViewSet(viewsets.ModelViewSet):
    """List, retrieve, create, update and delete through the access rule and the services."""

    permission_classes = [ReadSignedInWriteStaff]
    model: ClassVar[type[Model]]
    owner_field: ClassVar[str] = "organisation"
    kind: ClassVar[str]

    def get_queryset(self) -> QuerySet:
        queryset = self.model._default_manager.all()
        if self.owner_field != "pk":
            queryset = queryset.select_related(self.owner_field)
        return access.visible(self.request.user, queryset).order_by(*self.ordering_default())

    def ordering_default(self) -> list[str]:
        return list(self.model._meta.ordering or ["pk"])

    def call(self, function: Any, *args: Any, **fields: Any) -> Any:
        try:
            return function(self.request.user, *args, **fields)
        except DjangoValidationError as error:
            detail = error.message_dict if hasattr(error, "error_dict") else error.messages
            raise ValidationError(detail) from None

    def fields_of(self, serializer: serializers.BaseSerializer) -> dict[str, Any]:
        data = dict(serializer.validated_data)
        data.pop(self.owner_field, None)
        return data

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        owner = serializer.validated_data[self.owner_field]
        create = getattr(services, f"create_{self.kind}")
        serializer.instance = self.call(create, owner, **self.fields_of(serializer))

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        owner = serializer.validated_data.get(self.owner_field)
        if owner is not None and owner != getattr(serializer.instance, self.owner_field):
            raise ValidationError({self.owner_field: ["cannot be changed; delete and re-add."]})
        update = getattr(services, f"update_{self.kind}")
        serializer.instance = self.call(update, serializer.instance, **self.fields_of(serializer))

    def perform_destroy(self, instance: Model) -> None:
        self.call(getattr(services, f"delete_{self.kind}"), instance)


class OrganisationViewSet(DirectoryViewSet):
    """Constituent organisations, with what they run and their contacts."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    search_fields = ["name", "short_name", "zones__name", "=iana_id"]
    ordering_fields = ["name", "short_name", "kind", "country"]
    model = Organisation
    owner_field = "pk"
    kind = "organisation"

    def get_queryset(self) -> QuerySet:
        return (
            super()
            .get_queryset()
            .prefetch_related(
                "zones", "nameservers", "prefixes", "asns", "products", "contacts", "clients"
            )
        )

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        fields = dict(serializer.validated_data)
        clients = fields.pop("clients", None)
        organisation = self.call(services.create_organisation, **fields)
        if clients is not None:
            self.call(services.set_organisation_clients, organisation, clients)
        serializer.instance = organisation

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        fields = dict(serializer.validated_data)
        clients = fields.pop("clients", None)
        organisation = self.call(services.update_organisation, serializer.instance, **fields)
        if clients is not None:
            self.call(services.set_organisation_clients, organisation, clients)
        serializer.instance = organisation


class ZoneViewSet(DirectoryViewSet):
    """Zones (the root, TLDs, other zones) and who runs them."""

    serializer_class = ZoneSerializer
    filterset_class = OwnedFilter
    search_fields = ["name"]
    ordering_fields = ["name"]
    model = Zone
    kind = "zone"


class NameserverViewSet(DirectoryViewSet):
    """Nameserver hosts and their operators."""

    serializer_class = NameserverSerializer
    filterset_class = OwnedFilter
    search_fields = ["hostname"]
    ordering_fields = ["hostname"]
    model = NameserverHost
    kind = "nameserver"


class PrefixViewSet(DirectoryViewSet):
    """IP prefixes and the organisations using them."""

    serializer_class = PrefixSerializer
    filterset_class = OwnedFilter
    search_fields = ["prefix"]
    ordering_fields = ["prefix"]
    model = NetworkPrefix
    kind = "prefix"


class AsnViewSet(DirectoryViewSet):
    """Autonomous systems and their operators."""

    serializer_class = AsnSerializer
    filterset_class = OwnedFilter
    search_fields = ["=asn"]
    ordering_fields = ["asn"]
    model = AutonomousSystem
    kind = "asn"


class ProductViewSet(DirectoryViewSet):
    """Software products and their vendors."""

    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    search_fields = ["name", "vendor__name"]
    ordering_fields = ["name"]
    model = Product
    owner_field = "vendor"
    kind = "product"


class ContactViewSet(DirectoryViewSet):
    """Contacts; members may maintain their own organisation's contacts."""

    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    permission_classes = [ContactPermission]
    search_fields = ["name", "email", "role", "organisation__name"]
    ordering_fields = ["name", "email", "last_verified"]
    model = Contact
    kind = "contact"

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        fields = dict(serializer.validated_data)
        owner = fields.pop("organisation", None)
        if owner is not None and owner != serializer.instance.organisation:  # type: ignore[union-attr]
            fields["organisation"] = owner
        serializer.instance = self.call(services.update_contact, serializer.instance, **fields)


# Lookup

LOOKUP_PARAMETERS = ["tld", "zone", "nameserver", "ip", "asn", "product", "iana_id"]


class LookupContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField()
    is_role_mailbox = serializers.BooleanField()
    languages = serializers.ListField(child=serializers.CharField())
    time_zone = serializers.CharField()
    pgp_fingerprint = serializers.CharField()


class LookupMatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    short_name = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    country = serializers.CharField()
    time_zone = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    contacts_24x7 = LookupContactSerializer(many=True)


class LookupResultSerializer(serializers.Serializer):
    parameter = serializers.CharField()
    value = serializers.CharField()
    organisations = LookupMatchSerializer(many=True)


def _find(parameter: str, value: str) -> list[Organisation]:
    if parameter == "product":
        return lookups.vendors_for_product(value)
    finder = {
        "tld": lookups.organisation_for_tld,
        "zone": lookups.organisation_for_zone,
        "nameserver": lookups.organisation_for_nameserver,
        "ip": lookups.organisation_for_ip,
        "asn": lookups.organisation_for_asn,
        "iana_id": lookups.registrar_by_iana_id,
    }[parameter]
    found = finder(value)
    return [found] if found is not None else []


def _match(organisation: Organisation) -> dict[str, Any]:
    return {
        "id": organisation.pk,
        "short_name": organisation.short_name,
        "name": organisation.name,
        "kind": organisation.kind,
        "country": organisation.country,
        "time_zone": organisation.time_zone,
        "languages": organisation.languages,
        "contacts_24x7": list(lookups.contacts_24x7(organisation)),
    }


class LookupViewSet(viewsets.ViewSet):
    """Who runs this TLD, zone, nameserver, address, AS or product, and how to reach them now."""

    permission_classes = [IsSignedIn]

    @extend_schema(
        parameters=[
            OpenApiParameter(name, OpenApiTypes.STR, description=f"look up by {name}")
            for name in LOOKUP_PARAMETERS
        ],
        responses=LookupResultSerializer,
    )
    def list(self, request: Request) -> Response:
        given = [name for name in LOOKUP_PARAMETERS if request.query_params.get(name, "").strip()]
        if len(given) != 1:
            raise ValidationError(
                {"detail": f"give exactly one of: {', '.join(LOOKUP_PARAMETERS)}."}
            )
        parameter = given[0]
        value = request.query_params[parameter].strip()
        visible = set(access.organisations_visible_to(request.user).values_list("pk", flat=True))
        matches = [_match(org) for org in _find(parameter, value) if org.pk in visible]
        result = {"parameter": parameter, "value": value, "organisations": matches}
        return Response(LookupResultSerializer(result).data)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to ``router``."""
    router.register(
        "directory/organisations", OrganisationViewSet, basename="directory-organisation"
    )
    router.register("directory/contacts", ContactViewSet, basename="directory-contact")
    router.register("directory/zones", ZoneViewSet, basename="directory-zone")
    router.register("directory/nameservers", NameserverViewSet, basename="directory-nameserver")
    router.register("directory/prefixes", PrefixViewSet, basename="directory-prefix")
    router.register("directory/asns", AsnViewSet, basename="directory-asn")
    router.register("directory/products", ProductViewSet, basename="directory-product")
    router.register("directory/lookup", LookupViewSet, basename="directory-lookup")
