"""The platform's OpenPGP key: generated on first use, used to sign, decrypt and verify.

The key lives in ``DNSCERT_GNUPG_HOME`` (default ``<DNSCERT_VAR_DIR>/gnupg``). When that
keyring holds no secret key, the first caller generates one (ed25519 signing key with a
cv25519 encryption subkey, no passphrase, user id ``DNSCERT_PGP_UID``) under a lock file, so
concurrent threads and processes end up with one key.
"""

from __future__ import annotations

import fcntl
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import gnupg
from django.conf import settings

from dnscert.core.exceptions import DnscertError, InvalidInput
from dnscert.delivery import conf

_LOCK = threading.Lock()
_INSTANCES: dict[str, gnupg.GPG] = {}
_FINGERPRINTS: dict[str, str] = {}


class PGPError(DnscertError):
    """GnuPG failed at something the platform needed (key generation, signing, encryption)."""


@dataclass(frozen=True)
class DecryptResult:
    """What :func:`decrypt_and_verify` found: the plaintext and the signature state.

    ``ok`` means the plaintext was recovered: decrypted, or unwrapped from a signed-only
    message (then ``encrypted`` is false). ``signature_valid`` is judged separately.
    """

    plaintext: bytes
    ok: bool
    signature_valid: bool
    signer_fingerprint: str
    error: str
    encrypted: bool = False


@dataclass(frozen=True)
class VerifyResult:
    """What :func:`verify_detached` found."""

    valid: bool
    signer_fingerprint: str
    error: str


def gnupg_home() -> Path:
    """The directory of the platform keyring."""
    return Path(settings.DNSCERT_GNUPG_HOME)


def platform_gpg() -> gnupg.GPG:
    """A GnuPG handle on the platform keyring, with the platform key present."""
    home = str(gnupg_home())
    with _LOCK:
        gpg = _INSTANCES.get(home)
        if gpg is None:
            gpg = _open_keyring(Path(home))
            _INSTANCES[home] = gpg
        if home not in _FINGERPRINTS:
            _FINGERPRINTS[home] = _ensure_key(gpg, Path(home))
    return gpg


def platform_fingerprint() -> str:
    """The fingerprint of the platform key (40 hex digits, upper case)."""
    platform_gpg()
    return _FINGERPRINTS[str(gnupg_home())]


def public_key() -> str:
    """The platform public key, ASCII-armoured, for publication."""
    gpg = platform_gpg()
    exported = gpg.export_keys(platform_fingerprint())
    if not exported:
        raise PGPError("the platform public key could not be exported")
    return str(exported)


def sign_detached(data: bytes) -> bytes:
    """An ASCII-armoured detached SHA-512 signature of ``data`` by the platform key."""
    gpg = platform_gpg()
    result = gpg.sign(
        data,
        keyid=platform_fingerprint(),
        detach=True,
        clearsign=False,
        extra_args=["--digest-algo", "SHA512"],
    )
    if not result.data:
        raise PGPError(f"signing failed: {result.status or result.stderr}")
    return bytes(result.data)


def encrypt_to(data: bytes, recipient_key: str, *, sign: bool) -> bytes:
    """``data`` encrypted (and signed by the platform key when ``sign``) to ``recipient_key``."""
    gpg = platform_gpg()
    fingerprint = import_recipient_key(recipient_key)
    result = gpg.encrypt(
        data,
        [fingerprint],
        sign=platform_fingerprint() if sign else None,
        always_trust=True,
        armor=True,
        extra_args=["--digest-algo", "SHA512"],
    )
    if not result.ok:
        raise PGPError(f"encryption to {fingerprint} failed: {result.status or result.stderr}")
    return bytes(result.data)


def import_recipient_key(armored: str) -> str:
    """Import a recipient's public key and return its fingerprint; reject anything else."""
    text = (armored or "").strip()
    if "-----BEGIN PGP PUBLIC KEY BLOCK-----" not in text:
        raise InvalidInput("recipient_key", "expected an ASCII-armoured OpenPGP public key block")
    result = platform_gpg().import_keys(text)
    fingerprints = [fp for fp in (result.fingerprints or []) if fp]
    if not fingerprints:
        raise InvalidInput("recipient_key", "no usable OpenPGP public key found in it")
    if len(set(fingerprints)) > 1:
        raise InvalidInput("recipient_key", "give exactly one public key, not several")
    return str(fingerprints[0])


def decrypt_and_verify(data: bytes) -> DecryptResult:
    """Decrypt ``data`` (or unwrap a signed-only message) and check any signature on it."""
    result = platform_gpg().decrypt(data, always_trust=True)
    plaintext = bytes(result.data or b"")
    ok = bool(result.ok) or bool(plaintext)
    return DecryptResult(
        plaintext=plaintext,
        ok=ok,
        signature_valid=bool(result.valid),
        signer_fingerprint=str(result.fingerprint or "") if result.valid else "",
        error="" if ok else str(result.status or "decryption failed"),
        encrypted=bool(result.ok),
    )


def verify_detached(data: bytes, signature: bytes) -> VerifyResult:
    """Check the detached ``signature`` over ``data`` against the keys in the keyring."""
    gpg = platform_gpg()
    signature_path = _scratch_path(gpg)
    try:
        signature_path.write_bytes(signature)
        result = gpg.verify_data(str(signature_path), data)
    finally:
        signature_path.unlink(missing_ok=True)
    valid = bool(result.valid)
    return VerifyResult(
        valid=valid,
        signer_fingerprint=str(result.fingerprint or "") if valid else "",
        error="" if valid else str(result.status or "bad or unverifiable signature"),
    )


# --- keyring set-up -------------------------------------------------------------------------


def _open_keyring(home: Path) -> gnupg.GPG:
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(home, 0o700)
    try:
        return gnupg.GPG(gnupghome=str(home))
    except (OSError, ValueError) as exc:
        raise PGPError(f"cannot use GnuPG home {home}: {exc}") from exc


def _ensure_key(gpg: gnupg.GPG, home: Path) -> str:
    """The platform key's fingerprint, generating the key under a lock file if absent."""
    with open(home / ".platform-key.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            existing = gpg.list_keys(secret=True)
            if existing:
                return str(existing[0]["fingerprint"])
            return _generate(gpg)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _generate(gpg: gnupg.GPG) -> str:
    name, email = conf.pgp_uid()
    spec = gpg.gen_key_input(
        key_type="EDDSA",
        key_curve="ed25519",
        key_usage="sign",
        subkey_type="ECDH",
        subkey_curve="cv25519",
        subkey_usage="encrypt",
        name_real=name,
        name_email=email,
        name_comment="",
        expire_date=0,
        no_protection=True,
    )
    result = gpg.gen_key(spec)
    if not result.fingerprint:
        raise PGPError(f"could not generate the platform key: {result.stderr}")
    return str(result.fingerprint)


def _scratch_path(gpg: gnupg.GPG) -> Path:
    return Path(gpg.gnupghome or ".") / f".verify-{os.getpid()}-{threading.get_ident()}.sig"
