"""Enumerations of vulnerability coordination, declared once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    VENDORS_NOTIFIED = "vendors_notified", _("Vendors notified")
    EMBARGOED = "embargoed", _("Embargoed")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


#: Cases still being coordinated (not yet public nor closed).
OPEN_STATUSES = (
    CaseStatus.NEW,
    CaseStatus.TRIAGED,
    CaseStatus.VENDORS_NOTIFIED,
    CaseStatus.EMBARGOED,
)


class VendorStatus(models.TextChoices):
    NOT_CONTACTED = "not_contacted", _("Not contacted")
    NOTIFIED = "notified", _("Notified")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    INVESTIGATING = "investigating", _("Investigating")
    AFFECTED = "affected", _("Affected")
    NOT_AFFECTED = "not_affected", _("Not affected")
    FIXED = "fixed", _("Fixed")
    DECLINED = "declined", _("Declined to answer")


#: Statuses a vendor may set itself from the portal, the API or an e-mail reply.
VENDOR_SETTABLE = (
    VendorStatus.ACKNOWLEDGED,
    VendorStatus.INVESTIGATING,
    VendorStatus.AFFECTED,
    VendorStatus.NOT_AFFECTED,
    VendorStatus.FIXED,
    VendorStatus.DECLINED,
)

#: Statuses that count as "ready for publication" when they come with a statement.
READY_STATUSES = (VendorStatus.FIXED, VendorStatus.NOT_AFFECTED)

#: Vendor status -> CSAF/VEX product status of the advisory's affected table.
ADVISORY_STATUS = {
    VendorStatus.NOT_CONTACTED: "under_investigation",
    VendorStatus.NOTIFIED: "under_investigation",
    VendorStatus.ACKNOWLEDGED: "under_investigation",
    VendorStatus.INVESTIGATING: "under_investigation",
    VendorStatus.AFFECTED: "known_affected",
    VendorStatus.NOT_AFFECTED: "known_not_affected",
    VendorStatus.FIXED: "fixed",
    VendorStatus.DECLINED: "under_investigation",
}


class Audience(models.TextChoices):
    ALL = "all", _("All participants")
    VENDOR = "vendor", _("One vendor only")
    STAFF = "staff", _("Coordinators only")


class MessageVia(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    EMAIL = "email", _("E-mail")
    SYSTEM = "system", _("System")


class Credit(models.TextChoices):
    NAME = "name", _("Credit my name")
    ANONYMOUS = "anonymous", _("Stay anonymous")
    CUSTOM = "custom", _("Credit this text")


class CveState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    RESERVED = "reserved", _("Reserved")
    PUBLISHED = "published", _("Published")
