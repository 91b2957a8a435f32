"""Create or update the demo staff account ``staff`` and print how to sign in (``make demo``).

Each run sets a fresh random password and fresh single-use backup codes, and keeps the TOTP
authenticator key, so an authenticator app enrolled once keeps working. Staff must pass a
second factor: enter either a code from the authenticator or one of the backup codes.
For a local demo only; never run this against a production database.
"""

from __future__ import annotations

import os
import secrets
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dnscert.settings")

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django_otp.oath import totp  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from dnscert.core import audit, services  # noqa: E402
from dnscert.core.choices import Role  # noqa: E402

USERNAME = "staff"


@transaction.atomic
def ensure_demo_staff() -> tuple[str, TOTPDevice, list[str]]:
    """The demo staff user with a new password, its TOTP device and new backup codes."""
    user, created = get_user_model().objects.get_or_create(
        username=USERNAME,
        defaults={"email": "staff@dnscert.example", "first_name": "Demo", "last_name": "Staff"},
    )
    password = secrets.token_urlsafe(12)
    user.role = Role.STAFF
    user.is_staff = True
    user.is_active = True
    user.set_password(password)
    user.save()
    action = audit.Action.CREATE if created else audit.Action.UPDATE
    audit.record(None, action, user, changes={"demo": "staff account (re)set by make demo"})
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return password, device, services.regenerate_backup_codes(user)


def current_code(device: TOTPDevice) -> str:
    """The authenticator code valid right now (for the first sign-in without an app)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(value).zfill(device.digits)


def main() -> int:
    with audit.channel(audit.Via.CLI):
        password, device, codes = ensure_demo_staff()
    print(
        f"""
Demo staff account (DEMO ONLY: new password and backup codes at every 'make demo'):
  sign in at   {settings.SITE_URL}/accounts/login/
  username     {USERNAME}
  password     {password}
  second factor: one of these single-use backup codes
               {" ".join(codes)}
  or a code from an authenticator app enrolled with this otpauth URI:
               {device.config_url}
  (the authenticator code right now is {current_code(device)}; it changes every
  {device.step} seconds)
"""
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
