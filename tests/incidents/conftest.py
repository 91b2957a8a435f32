"""Fixtures of the incident tests: the platform PGP keyring and a verifier keyring."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings


def _gpg(home: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    command = ["gpg", "--homedir", str(home), "--batch", "--yes", "--no-tty", *args]
    return subprocess.run(command, input=data, check=False, capture_output=True, timeout=60)


def _stop_agent(home: Path) -> None:
    env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run(["gpgconf", "--kill", "all"], env=env, check=False, capture_output=True)


@pytest.fixture(scope="session")
def incidents_pgp_home() -> Iterator[Path]:
    """A short-lived platform keyring for the session (the key is made on first use)."""
    home = Path(tempfile.mkdtemp(prefix="dnscert-inc-", dir="/tmp"))
    home.chmod(0o700)
    try:
        yield home
    finally:
        _stop_agent(home)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(autouse=True)
def incidents_settings(settings: Settings, incidents_pgp_home: Path) -> None:
    """Sign with the session key; hash passwords fast; links point at a known site."""
    settings.DNSCERT_GNUPG_HOME = str(incidents_pgp_home)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "https://cert.example"


class Verifier:
    """A keyring holding only the platform's public key, as a recipient has it."""

    def __init__(self, home: Path) -> None:
        self.home = home

    def verify(self, data: bytes, signature: bytes) -> subprocess.CompletedProcess[bytes]:
        folder = Path(tempfile.mkdtemp(dir=self.home))
        (folder / "data").write_bytes(data)
        (folder / "data.sig").write_bytes(signature)
        return _gpg(self.home, "--verify", str(folder / "data.sig"), str(folder / "data"))


@pytest.fixture
def verifier(incidents_pgp_home: Path) -> Iterator[Verifier]:
    """A recipient's keyring with the platform public key imported."""
    from dnscert.delivery import pgp

    home = Path(tempfile.mkdtemp(prefix="dnscert-incv-", dir="/tmp"))
    home.chmod(0o700)
    _gpg(home, "--import", data=pgp.public_key().encode())
    try:
        yield Verifier(home)
    finally:
        _stop_agent(home)
        shutil.rmtree(home, ignore_errors=True)


class RecipientKeyring:
    """A participant's own keyring with one key pair, to read what the platform encrypts."""

    def __init__(self, home: Path, fingerprint: str, public_key: str) -> None:
        self.home = home
        self.fingerprint = fingerprint
        self.public_key = public_key

    def decrypt(self, data: bytes) -> subprocess.CompletedProcess[bytes]:
        """Decrypt with the platform's public key imported, so its signature is checked."""
        from dnscert.delivery import pgp

        _gpg(self.home, "--import", data=pgp.public_key().encode())
        return _gpg(self.home, "--decrypt", data=data)


@pytest.fixture(scope="session")
def recipient_keyring() -> Iterator[RecipientKeyring]:
    """A registry CSIRT's key pair (made once per session) in its own keyring."""
    home = Path(tempfile.mkdtemp(prefix="dnscert-incr-", dir="/tmp"))
    home.chmod(0o700)
    uid = "Registry NOC <noc@nic.xa.example>"
    _gpg(home, "--passphrase", "", "--pinentry-mode", "loopback",
         "--quick-gen-key", uid, "future-default", "default", "never")  # fmt: skip
    listing = _gpg(home, "--with-colons", "--list-keys", uid).stdout.decode()
    fingerprint = next(line.split(":")[9] for line in listing.splitlines() if line[:4] == "fpr:")
    public_key = _gpg(home, "--armor", "--export", fingerprint).stdout.decode()
    try:
        yield RecipientKeyring(home, fingerprint, public_key)
    finally:
        _stop_agent(home)
        shutil.rmtree(home, ignore_errors=True)
