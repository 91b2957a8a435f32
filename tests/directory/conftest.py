"""Fixtures of the directory tests: real OpenPGP keys made once per session with gpg."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings


@dataclass(frozen=True)
class Key:
    """An armoured key and its fingerprint."""

    armoured: str
    fingerprint: str


@dataclass(frozen=True)
class Keys:
    valid: Key
    other: Key
    expired: Key
    revoked: Key
    secret: str


class GnuPG:
    """Runs gpg in a throwaway home directory."""

    def __init__(self, home: Path) -> None:
        self.home = home
        home.chmod(0o700)

    def run(self, *args: str, faked_time: str | None = None) -> str:
        command = ["gpg", "--homedir", str(self.home), "--batch", "--yes"]
        command += ["--pinentry-mode", "loopback", "--passphrase", ""]
        if faked_time:
            command += ["--faked-system-time", faked_time]
        result = subprocess.run(
            [*command, *args], check=True, capture_output=True, text=True, timeout=60
        )
        return result.stdout

    def generate(self, uid: str, expires: str = "never", faked_time: str | None = None) -> Key:
        self.run("--quick-gen-key", uid, "ed25519", "default", expires, faked_time=faked_time)
        listing = self.run("--with-colons", "--list-keys", uid)
        fingerprint = next(
            line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:")
        )
        return Key(self.export(fingerprint), fingerprint)

    def export(self, fingerprint: str) -> str:
        return self.run("--armor", "--export", fingerprint)

    def revoke(self, key: Key) -> Key:
        certificate = self.home / "openpgp-revocs.d" / f"{key.fingerprint}.rev"
        text = certificate.read_text().replace(":-----BEGIN", "-----BEGIN")
        revocation = self.home / "revocation.asc"
        revocation.write_text(text)
        self.run("--import", str(revocation))
        return Key(self.export(key.fingerprint), key.fingerprint)

    def stop(self) -> None:
        subprocess.run(
            ["gpgconf", "--kill", "all"],
            env={**os.environ, "GNUPGHOME": str(self.home)},
            check=False,
            capture_output=True,
        )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Settings) -> None:
    """Personas get passwords; a fast hasher keeps these tests quick (never in production)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def pgp_keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """Valid, other, expired and revoked public keys plus one armoured secret key."""
    gpg = GnuPG(tmp_path_factory.mktemp("gpg"))
    try:
        valid = gpg.generate("Registry CSIRT <csirt@registry.example>")
        other = gpg.generate("Vendor PSIRT <psirt@vendor.example>")
        expired = gpg.generate(
            "Old Key <old@registry.example>", expires="1d", faked_time="20200101T000000"
        )
        revoked = gpg.revoke(gpg.generate("Revoked Key <revoked@registry.example>"))
        secret = gpg.run("--armor", "--export-secret-keys", other.fingerprint)
        return Keys(valid, other, expired, revoked, secret)
    finally:
        gpg.stop()
