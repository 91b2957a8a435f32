"""The platform key: made once (even under concurrency), published, signs, verifies, decrypts."""

from __future__ import annotations

import multiprocessing
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from dnscert.core.exceptions import InvalidInput
from dnscert.delivery import pgp
from tests.delivery.conftest import Keyring, Recipient


def test_it_generates_one_key_even_when_threads_race(settings: Any, tmp_path: Path) -> None:
    home = Path("/tmp") / f"dnscert-race-{tmp_path.name[-12:]}"
    settings.DNSCERT_GNUPG_HOME = str(home)
    found: list[str] = []
    threads = [threading.Thread(target=lambda: found.append(pgp.platform_fingerprint()))
               for _ in range(4)]  # fmt: skip
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(set(found)) == 1 and len(found[0]) == 40
        assert len(pgp.platform_gpg().list_keys(secret=True)) == 1
        uids = pgp.platform_gpg().list_keys()[0]["uids"]
        assert uids == ["dnscert <cert@dnscert.example>"]
    finally:
        Keyring(home).stop()
        shutil.rmtree(home, ignore_errors=True)


def _fingerprint_into(results: Any) -> None:
    results.put(pgp.platform_fingerprint())


def test_it_generates_one_key_even_when_processes_race(settings: Any, tmp_path: Path) -> None:
    home = Path("/tmp") / f"dnscert-procs-{tmp_path.name[-12:]}"
    settings.DNSCERT_GNUPG_HOME = str(home)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=_fingerprint_into, args=(results,)) for _ in range(3)]
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.join(60)
        found = {results.get(timeout=5) for _ in processes}
        assert len(found) == 1
        assert found == {pgp.platform_fingerprint()}
        assert len(pgp.platform_gpg().list_keys(secret=True)) == 1
    finally:
        Keyring(home).stop()
        shutil.rmtree(home, ignore_errors=True)


def test_detached_signatures_verify_and_tampering_is_caught() -> None:
    data = b"TLP:CLEAR\r\n\r\nAdvisory text\r\n"
    signature = pgp.sign_detached(data)

    good = pgp.verify_detached(data, signature)
    bad = pgp.verify_detached(data + b"!", signature)
    garbage = pgp.verify_detached(data, b"not a signature")

    assert good.valid and good.signer_fingerprint == pgp.platform_fingerprint()
    assert not bad.valid and bad.error
    assert not garbage.valid


def test_it_decrypts_what_a_constituent_encrypted_and_signed(recipient: Recipient) -> None:
    pgp.import_recipient_key(recipient.public_key)
    recipient.keyring.run("--import", data=pgp.public_key().encode())
    ciphertext = recipient.keyring.run(
        "--armor", "--trust-model", "always", "--encrypt", "--sign",
        "--recipient", pgp.platform_fingerprint(), data=b"report: xa. hijacked\n",
    )  # fmt: skip

    result = pgp.decrypt_and_verify(ciphertext)

    assert result.ok and result.encrypted and result.plaintext == b"report: xa. hijacked\n"
    assert result.signature_valid and result.signer_fingerprint == recipient.fingerprint


def test_it_unwraps_a_clearsigned_message(recipient: Recipient) -> None:
    pgp.import_recipient_key(recipient.public_key)
    signed = recipient.keyring.run("--clearsign", data=b"xa. is lame\n")

    result = pgp.decrypt_and_verify(signed)
    tampered = pgp.decrypt_and_verify(signed.replace(b"xa. is lame", b"xb. is lame"))

    assert result.ok and not result.encrypted and result.plaintext == b"xa. is lame\n"
    assert result.signature_valid and result.signer_fingerprint == recipient.fingerprint
    assert tampered.ok and not tampered.signature_valid and tampered.signer_fingerprint == ""


def test_it_reports_what_it_cannot_decrypt() -> None:
    result = pgp.decrypt_and_verify(
        b"-----BEGIN PGP MESSAGE-----\n\nAAAA\n-----END PGP MESSAGE-----\n"
    )

    assert not result.ok and result.error and result.plaintext == b""


@pytest.mark.parametrize(
    "key",
    [
        "",
        "hello",
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nZm9v\n-----END PGP PUBLIC KEY BLOCK-----\n",
    ],
)
def test_it_refuses_bad_recipient_keys(key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        pgp.import_recipient_key(key)
    assert caught.value.field == "recipient_key"


def test_the_public_key_is_served_to_anyone(client: Client) -> None:
    response = client.get("/pgp-key.asc")

    assert response.status_code == 200 and response["Content-Type"] == "application/pgp-keys"
    assert response.content.decode().startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")
    assert response.content.decode() == pgp.public_key()
