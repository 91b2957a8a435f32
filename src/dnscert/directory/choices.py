"""Enumerations of the constituency directory, declared once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    ROOT_OPERATOR = "root_operator", _("Root server operator")
    CCTLD_REGISTRY = "cctld_registry", _("ccTLD registry")
    GTLD_REGISTRY = "gtld_registry", _("gTLD registry")
    REGISTRAR = "registrar", _("Registrar")
    DNS_OPERATOR = "dns_operator", _("DNS operator")
    ISP = "isp", _("ISP")
    RESOLVER_OPERATOR = "resolver_operator", _("Resolver operator")
    NATIONAL_CERT = "national_cert", _("National CERT")
    VENDOR = "vendor", _("DNS software vendor")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    GOVERNMENT = "government", _("Government")
    RESEARCHER = "researcher", _("Researcher")


REGISTRY_KINDS = (OrganisationKind.CCTLD_REGISTRY, OrganisationKind.GTLD_REGISTRY)


class Membership(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    OPERATIONAL = "operational", _("Operational community")
    POLICY = "policy", _("Policy community")


class ZoneKind(models.TextChoices):
    ROOT = "root", _("Root zone")
    TLD = "tld", _("Top-level domain")
    ZONE = "zone", _("Zone")


class ProductKind(models.TextChoices):
    RESOLVER = "resolver", _("Recursive resolver")
    AUTHORITATIVE = "authoritative", _("Authoritative server")
    BOTH = "both", _("Resolver and authoritative")
    LIBRARY = "library", _("Library")
    REGISTRY_SYSTEM = "registry_system", _("Registry system")
    OTHER = "other", _("Other")
