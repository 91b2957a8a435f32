"""The constituency: organisations, what they run, and their contacts."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.directory.choices import Membership, OrganisationKind, ProductKind, ZoneKind
from dnscert.directory.validators import (
    validate_addresses,
    validate_asn,
    validate_country,
    validate_fingerprint,
    validate_hostname,
    validate_languages,
    validate_phone,
    validate_prefix,
    validate_time_zone,
    validate_zone_name,
)

# A contact not verified for longer than this is highlighted as stale.
VERIFICATION_MAX_AGE = timedelta(days=365)


class Organisation(models.Model):
    """A constituent: registry, registrar, operator, CERT, vendor, ..."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text="ISO 3166-1",
        validators=[validate_country],
    )
    languages = models.JSONField(
        _("languages"), default=list, blank=True, validators=[validate_languages]
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    membership = models.CharField(
        _("membership"), max_length=16, choices=Membership.choices, default=Membership.PARTICIPANT
    )
    iana_id = models.PositiveIntegerField(
        _("IANA registrar id"), null=True, blank=True, unique=True
    )
    security_txt_url = models.URLField(_("security.txt URL"), blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    clients = models.ManyToManyField(
        "self",
        verbose_name=_("clients"),
        symmetrical=False,
        blank=True,
        related_name="providers",
        help_text=_("Organisations that receive security services from this one (TLP:AMBER)."),
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Zone(models.Model):
    """A DNS zone an organisation runs: the root, a TLD or any zone registered for monitoring."""

    name = models.CharField(
        _("name"),
        max_length=253,
        unique=True,
        help_text=_("e.g. example."),
        validators=[validate_zone_name],
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=ZoneKind.choices, default=ZoneKind.ZONE
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="zones"
    )
    monitored = models.BooleanField(_("monitored"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name


class NameserverHost(models.Model):
    """A nameserver host name an organisation operates, with its addresses."""

    hostname = models.CharField(
        _("host name"), max_length=253, unique=True, validators=[validate_hostname]
    )
    addresses = models.JSONField(
        _("addresses"), default=list, blank=True, validators=[validate_addresses]
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="nameservers",
    )

    class Meta:
        ordering = ["hostname"]
        verbose_name = _("nameserver host")
        verbose_name_plural = _("nameserver hosts")

    def __str__(self) -> str:
        return self.hostname


class NetworkPrefix(models.Model):
    """An IP prefix announced or used by an organisation."""

    prefix = models.CharField(_("prefix"), max_length=43, unique=True, validators=[validate_prefix])
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="prefixes",
    )

    class Meta:
        ordering = ["prefix"]
        verbose_name = _("IP prefix")
        verbose_name_plural = _("IP prefixes")

    def __str__(self) -> str:
        return self.prefix


class AutonomousSystem(models.Model):
    """An autonomous system number an organisation operates."""

    asn = models.PositiveBigIntegerField(_("ASN"), unique=True, validators=[validate_asn])
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="asns"
    )

    class Meta:
        ordering = ["asn"]
        verbose_name = _("autonomous system")
        verbose_name_plural = _("autonomous systems")

    def __str__(self) -> str:
        return f"AS{self.asn}"


class Product(models.Model):
    """A software product a vendor ships (resolvers, authoritative servers, libraries)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ProductKind.choices)
    vendor = models.ForeignKey(
        Organisation, verbose_name=_("vendor"), on_delete=models.CASCADE, related_name="products"
    )
    cpe = models.CharField("CPE", max_length=255, blank=True)
    purl = models.CharField("purl", max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["vendor", "name"], name="product_unique_per_vendor")
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person or role mailbox at an organisation."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=200)
    is_role_mailbox = models.BooleanField(_("role mailbox"), default=False)
    role = models.CharField(_("role in the organisation"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(
        _("phone"),
        max_length=32,
        blank=True,
        help_text="E.164, e.g. +33123456789",
        validators=[validate_phone],
    )
    pgp_fingerprint = models.CharField(
        _("PGP fingerprint"), max_length=40, blank=True, validators=[validate_fingerprint]
    )
    pgp_key = models.TextField(_("PGP public key"), blank=True)
    languages = models.JSONField(
        _("languages"), default=list, blank=True, validators=[validate_languages]
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    is_24x7 = models.BooleanField(_("24x7"), default=False)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "email"], name="contact_unique_email")
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def preferred_language(self) -> str:
        return self.languages[0] if self.languages else "en"

    @property
    def needs_verification(self) -> bool:
        """True when the contact was never verified, or not within the last year."""
        if self.last_verified is None:
            return True
        return self.last_verified < timezone.localdate() - VERIFICATION_MAX_AGE
