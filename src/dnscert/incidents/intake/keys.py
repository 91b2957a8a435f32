"""Constituents' public keys in the platform keyring, and who signed a message.

Signatures can only be checked against keys in the keyring, so the directory contacts' keys
(``directory.Contact.pgp_key``) are imported before a message is verified; a signing
fingerprint (primary key or subkey) is then matched back to the contact that owns it.
"""

from __future__ import annotations

import logging
from typing import Any

from dnscert.core.exceptions import InvalidInput
from dnscert.delivery import pgp
from dnscert.directory.models import Contact

logger = logging.getLogger(__name__)


def sync_contact_keys() -> int:
    """Import the directory's contact keys missing from the keyring; return how many."""
    known = _keyring_fingerprints()
    missing = Contact.objects.exclude(pgp_key="").exclude(pgp_fingerprint__in=known)
    imported = 0
    for contact in missing.only("id", "pgp_key", "pgp_fingerprint"):
        try:
            pgp.import_recipient_key(contact.pgp_key)
        except (InvalidInput, pgp.PGPError) as error:
            logger.warning("contact %s: unusable PGP key: %s", contact.pk, error)
            continue
        imported += 1
    return imported


def _keyring_fingerprints() -> set[str]:
    return {str(key["fingerprint"]).upper() for key in pgp.platform_gpg().list_keys()}


def primary_fingerprint(fingerprint: str) -> str:
    """The primary key's fingerprint for a key or subkey fingerprint in the keyring."""
    wanted = fingerprint.upper()
    for key in pgp.platform_gpg().list_keys():
        if wanted == str(key["fingerprint"]).upper() or wanted in _subkey_fingerprints(key):
            return str(key["fingerprint"]).upper()
    return wanted


def _subkey_fingerprints(key: dict[str, Any]) -> set[str]:
    return {str(sub[2]).upper() for sub in key.get("subkeys", []) if len(sub) > 2 and sub[2]}


def contact_for(fingerprint: str) -> Contact | None:
    """The directory contact whose key made a signature with ``fingerprint``, if any."""
    if not fingerprint:
        return None
    primary = primary_fingerprint(fingerprint)
    contacts = Contact.objects.select_related("organisation")
    return contacts.filter(pgp_fingerprint__iexact=primary).order_by("id").first()
