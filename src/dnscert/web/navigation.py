"""The main navigation: which links each role sees, declared once.

Every entry names a URL by its name; a name that does not resolve (an app not installed, a
page not built yet) is skipped when the menu is drawn, so the menu never breaks a page.
Other apps add their own entries with :func:`register` from their ``AppConfig.ready``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import Role

PUBLIC = "public"
"""The pseudo-role of anonymous visitors."""

STAFF_ROLES = frozenset({Role.STAFF.value})
TEAM_ROLES = frozenset({Role.STAFF.value, Role.RESPONDER.value})
MEMBER_ROLES = frozenset({Role.MEMBER.value})
SIGNED_IN_ROLES = frozenset({Role.STAFF.value, Role.RESPONDER.value, Role.MEMBER.value})


@dataclass(frozen=True)
class NavItem:
    """One link of the main navigation, shown to the listed roles."""

    url_name: str
    label: str | Promise
    roles: frozenset[str]
    django_admin_only: bool = False


NAV_ITEMS: list[NavItem] = [
    NavItem("public-home", _("Home"), frozenset({PUBLIC})),
    NavItem("home", _("Home"), TEAM_ROLES),
    NavItem("portal-home", _("Portal home"), MEMBER_ROLES),
    NavItem("portal-organisation", _("My organisation"), MEMBER_ROLES),
    NavItem("directory:organisation-list", _("Organisations"), TEAM_ROLES),
    NavItem("directory:contact-list", _("Contacts"), TEAM_ROLES),
    NavItem("audit-log", _("Audit log"), STAFF_ROLES),
    NavItem("jobs", _("Jobs"), STAFF_ROLES),
    NavItem("documents", _("Documents"), SIGNED_IN_ROLES),
    NavItem("api-docs", _("API docs"), SIGNED_IN_ROLES),
    NavItem("admin:index", _("Admin"), STAFF_ROLES, django_admin_only=True),
    NavItem("login", _("Sign in"), frozenset({PUBLIC})),
]


def register(item: NavItem, before: str | None = None) -> None:
    """Add ``item`` to the menu, before the entry named ``before`` (at the end otherwise).

    Registering the same URL name twice for the same roles is ignored, so ``ready()`` may run
    more than once.
    """
    if any(i.url_name == item.url_name and i.roles == item.roles for i in NAV_ITEMS):
        return
    names = [i.url_name for i in NAV_ITEMS]
    index = names.index(before) if before in names else len(NAV_ITEMS)
    NAV_ITEMS.insert(index, item)


def items_for(role: str, is_django_admin: bool = False) -> list[NavItem]:
    """The entries shown to ``role`` (``"public"`` for anonymous visitors), in menu order."""
    return [
        item
        for item in NAV_ITEMS
        if role in item.roles and (is_django_admin or not item.django_admin_only)
    ]
