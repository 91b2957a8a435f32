"""Named personas for tests: organisations, users in each role, and an MFA-verified login.

Import from any test module::

    from tests.personas import make_org, staff, responder, member, outsider, login_verified

Users get the password ``PASSWORD`` so tests can also sign in through the login form.
"""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.text import slugify
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from dnscert.core.choices import Role
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.models import Organisation

PASSWORD = "correct horse battery staple 42"  # a test password, never deployed

_counter = itertools.count(1)


def make_org(kind: str = OrganisationKind.CCTLD_REGISTRY, name: str | None = None) -> Organisation:
    """Create an organisation of ``kind``; the name is generated unless given."""
    number = next(_counter)
    name = name or f"Organisation {number}"
    short_name = f"{slugify(name)[:50]}-{number}"
    return Organisation.objects.create(name=name, short_name=short_name, kind=kind)


def make_user(
    role: str = Role.MEMBER,
    org: Organisation | None = None,
    username: str | None = None,
    **fields: Any,
) -> Any:
    """Create an active user with ``role`` in ``org``; password is :data:`PASSWORD`."""
    username = username or f"{role}{next(_counter)}"
    fields.setdefault("email", f"{username}@example.org")
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, role=role, organisation=org, **fields
    )


def staff(username: str | None = None, **fields: Any) -> Any:
    """A core-staff analyst (sees everything, must use MFA)."""
    return make_user(Role.STAFF, None, username or f"staff{next(_counter)}", **fields)


def responder(username: str | None = None, org: Organisation | None = None, **fields: Any) -> Any:
    """An extended-team responder (sees what they are assigned to plus CLEAR/GREEN)."""
    return make_user(Role.RESPONDER, org, username or f"responder{next(_counter)}", **fields)


def member(org: Organisation | None = None, username: str | None = None, **fields: Any) -> Any:
    """A constituent member of ``org`` (a new ccTLD registry when not given)."""
    username = username or f"member{next(_counter)}"
    return make_user(Role.MEMBER, org or make_org(), username, **fields)


def outsider(username: str | None = None) -> Any:
    """A signed-in member of an unrelated organisation: sees CLEAR and GREEN only."""
    return member(make_org(OrganisationKind.RESEARCHER), username or f"outsider{next(_counter)}")


def totp_device(user: Any) -> TOTPDevice:
    """The user's confirmed TOTP device, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def login_verified(client: Client, user: Any) -> Client:
    """Sign ``client`` in as ``user`` with the session marked as having passed a TOTP check."""
    device = totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
