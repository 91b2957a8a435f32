"""Fixtures of the intake tests: a reporter's real gpg key pair, message builders, settings.

The platform keyring comes from ``tests/incidents/conftest.py``; the reporter keeps a key
pair in a keyring of their own (as on their machine), with the platform's public key
imported so they can encrypt to it.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from pytest_django.fixtures import Settings

from dnscert.directory.models import Contact, Organisation
from tests.personas import make_org

INTAKE_ADDRESS = "cert@dnscert.example"


@pytest.fixture(autouse=True)
def intake_settings(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """Media in a temporary directory, known limits, the platform's addresses, clean cache."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DEFAULT_FROM_EMAIL = f"dnscert <{INTAKE_ADDRESS}>"
    settings.DNSCERT_INTAKE_ADDRESS = INTAKE_ADDRESS
    settings.DNSCERT_INTAKE_RATE_LIMIT = 3
    settings.DNSCERT_INTAKE_RATE_WINDOW = 3600
    settings.DNSCERT_INTAKE_ACK_LIMIT = 5
    settings.DNSCERT_INTAKE_MAX_ATTACHMENT_BYTES = 64 * 1024
    settings.DNSCERT_INTAKE_MAX_ATTACHMENTS = 4
    cache.clear()
    yield
    cache.clear()


class Keyring:
    """gpg in its own home directory."""

    def __init__(self, home: Path) -> None:
        self.home = home
        home.chmod(0o700)

    def run(self, *args: str, data: bytes | None = None) -> bytes:
        command = ["gpg", "--homedir", str(self.home), "--batch", "--yes", "--no-tty"]
        result = subprocess.run(
            [*command, *args], input=data, check=False, capture_output=True, timeout=60
        )
        if result.returncode != 0:
            raise AssertionError(f"gpg {args} failed: {result.stderr.decode(errors='replace')}")
        return result.stdout

    def generate(self, uid: str) -> str:
        self.run(
            "--passphrase", "", "--pinentry-mode", "loopback",
            "--quick-gen-key", uid, "future-default", "default", "never",
        )  # fmt: skip
        listing = self.run("--with-colons", "--list-keys", uid).decode()
        return next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))

    def stop(self) -> None:
        env = {**os.environ, "GNUPGHOME": str(self.home)}
        subprocess.run(["gpgconf", "--kill", "all"], env=env, check=False, capture_output=True)


@dataclass
class Reporter:
    """A constituent's CSIRT with a real key pair, able to sign and encrypt to the platform."""

    keyring: Keyring
    fingerprint: str
    address: str

    @property
    def public_key(self) -> str:
        return self.keyring.run("--armor", "--export", self.fingerprint).decode()

    def trust_platform(self) -> str:
        """Import the platform public key; return its fingerprint."""
        from dnscert.delivery import pgp

        self.keyring.run("--import", data=pgp.public_key().encode())
        return pgp.platform_fingerprint()

    def encrypt_and_sign(self, data: bytes, *, sign: bool = True) -> bytes:
        platform = self.trust_platform()
        args = ["--armor", "--trust-model", "always", "--recipient", platform]
        if sign:
            args += ["--sign", "--local-user", self.fingerprint]
        return self.keyring.run(*args, "--encrypt", data=data)

    def detach_sign(self, data: bytes) -> bytes:
        return self.keyring.run(
            "--armor", "--local-user", self.fingerprint, "--detach-sign", data=data
        )

    def clearsign(self, text: str) -> str:
        return self.keyring.run(
            "--local-user", self.fingerprint, "--clearsign", data=text.encode()
        ).decode()


@pytest.fixture(scope="session")
def reporter_keys() -> Iterator[Reporter]:
    """The reporter's key pair for the session."""
    keyring = Keyring(Path(tempfile.mkdtemp(prefix="dnscert-rep-", dir="/tmp")))
    address = "csirt@nic.xa.example"
    try:
        fingerprint = keyring.generate(f"Registry CSIRT <{address}>")
        yield Reporter(keyring, fingerprint, address)
    finally:
        keyring.stop()
        shutil.rmtree(keyring.home, ignore_errors=True)


@pytest.fixture
def registry_contact(reporter_keys: Reporter) -> Contact:
    """The registry's CSIRT in the directory, with the reporter's public key."""
    org: Organisation = make_org(name="Registry of .xa")
    return Contact.objects.create(
        organisation=org,
        name="CSIRT",
        email=reporter_keys.address,
        pgp_key=reporter_keys.public_key,
        pgp_fingerprint=reporter_keys.fingerprint,
        languages=["fr"],
    )


def mail(
    *,
    subject: str = "Hijacked delegation of shop.xa",
    body: str = "NS of shop.xa now point to ns1.evil.example since 02:10 UTC.",
    sender: str = "Alice Reporter <alice@example.net>",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> bytes:
    """A plain RFC 5322 message as bytes (CRLF line endings, as SMTP carries it)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = INTAKE_ADDRESS
    message["Subject"] = subject
    message["Date"] = formatdate()
    message["Message-ID"] = make_msgid(domain="example.net")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for filename, data, content_type in attachments:
        main, sub = content_type.split("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=filename)
    return message.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def pgp_mime_encrypted(ciphertext: bytes, sender: str, subject: str = "Encrypted report") -> bytes:
    """An RFC 3156 multipart/encrypted message around ``ciphertext``."""
    return _crlf(
        f"From: {sender}\n"
        f"To: {INTAKE_ADDRESS}\n"
        f"Subject: {subject}\n"
        f"Message-ID: {make_msgid(domain='nic.xa.example')}\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; '
        'boundary="enc-boundary"\n'
        "\n"
        "--enc-boundary\n"
        "Content-Type: application/pgp-encrypted\n"
        "\n"
        "Version: 1\n"
        "\n"
        "--enc-boundary\n"
        'Content-Type: application/octet-stream; name="encrypted.asc"\n'
        "\n"
        f"{ciphertext.decode()}\n"
        "--enc-boundary--\n"
    )


def pgp_mime_signed(inner: bytes, signature: bytes, sender: str, subject: str) -> bytes:
    """An RFC 3156 multipart/signed message: ``inner`` (a MIME entity) and its signature."""
    head = _crlf(
        f"From: {sender}\n"
        f"To: {INTAKE_ADDRESS}\n"
        f"Subject: {subject}\n"
        f"Message-ID: {make_msgid(domain='nic.xa.example')}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/signed; micalg=pgp-sha512; "
        'protocol="application/pgp-signature"; boundary="sig-boundary"\n'
        "\n"
        "--sig-boundary\n"
    )
    tail = _crlf(
        "\n--sig-boundary\n"
        'Content-Type: application/pgp-signature; name="signature.asc"\n'
        "\n"
        f"{signature.decode()}\n"
        "--sig-boundary--\n"
    )
    return head + inner + tail


def mime_entity(text: str, attachment: tuple[str, bytes] | None = None) -> bytes:
    """A MIME entity (headers and body, no envelope headers) in canonical CRLF form."""
    entity = EmailMessage()
    entity.set_content(text)
    if attachment is not None:
        entity.add_attachment(
            attachment[1], maintype="application", subtype="octet-stream", filename=attachment[0]
        )
    data = entity.as_bytes()
    return _crlf(data.decode()) if isinstance(data, bytes) else data


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def sent_acks(outbox: list[Any]) -> list[EmailMessage]:
    """The acknowledgement e-mails among Django's outbox, parsed."""
    parsed = [
        email.message_from_bytes(item.message().as_bytes(), policy=email.policy.default)
        for item in outbox
    ]
    return [item for item in parsed if isinstance(item, EmailMessage) and item["X-DNSCERT-Ref"]]


def ack_text(message: EmailMessage) -> str:
    """The text of an acknowledgement (inside its PGP/MIME signature)."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return str(part.get_content())
    return ""
