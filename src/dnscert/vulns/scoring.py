"""CVSS v3.1 and v4.0 vectors scored by the ``cvss`` library; CWE and CVE id formats.

Every function raises :class:`~dnscert.core.exceptions.InvalidInput` naming the field when
the value cannot be used, so forms and the API show the same clear error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError

from dnscert.core.choices import Severity
from dnscert.core.exceptions import InvalidInput

_CVE = re.compile(r"^CVE-(\d{4})-(\d{4,19})$")
_CWE = re.compile(r"^CWE-(\d{1,5})$")


@dataclass(frozen=True)
class Score:
    """A normalised vector, its base score and the qualitative severity it maps to."""

    vector: str
    score: Decimal
    severity: str


def _severity(score: Decimal) -> str:
    if score >= Decimal("9.0"):
        return Severity.CRITICAL
    if score >= Decimal("7.0"):
        return Severity.HIGH
    if score >= Decimal("4.0"):
        return Severity.MEDIUM
    if score > 0:
        return Severity.LOW
    return Severity.INFO


def score_v3(vector: str, field: str = "cvss3_vector") -> Score | None:
    """Score a ``CVSS:3.1/...`` (or 3.0) vector; ``None`` for an empty one."""
    text = (vector or "").strip()
    if not text:
        return None
    if not text.startswith(("CVSS:3.1/", "CVSS:3.0/")):
        raise InvalidInput(field, "a CVSS v3 vector starts with CVSS:3.1/")
    try:
        parsed = CVSS3(text)
    except CVSSError as error:
        raise InvalidInput(field, f"not a valid CVSS v3 vector: {error}") from None
    score = Decimal(str(parsed.base_score))
    return Score(parsed.clean_vector(), score, _severity(score))


def score_v4(vector: str, field: str = "cvss4_vector") -> Score | None:
    """Score a ``CVSS:4.0/...`` vector; ``None`` for an empty one."""
    text = (vector or "").strip()
    if not text:
        return None
    if not text.startswith("CVSS:4.0/"):
        raise InvalidInput(field, "a CVSS v4 vector starts with CVSS:4.0/")
    try:
        parsed = CVSS4(text)
    except CVSSError as error:
        raise InvalidInput(field, f"not a valid CVSS v4 vector: {error}") from None
    score = Decimal(str(parsed.base_score))
    return Score(parsed.clean_vector(), score, _severity(score))


def clean_cwe(value: str) -> str:
    """``CWE-345`` from ``cwe-345`` or ``345``; empty stays empty."""
    text = (value or "").strip().upper()
    if not text:
        return ""
    if text.isdigit():
        text = f"CWE-{text}"
    if not _CWE.match(text):
        raise InvalidInput("cwe", f"{value!r} is not a CWE id (e.g. CWE-345)")
    return text


def clean_cve_ids(values: list[str] | str) -> list[str]:
    """Unique, upper-cased CVE ids (``CVE-2008-1447``); a list or comma/space separated text."""
    items = re.split(r"[\s,;]+", values) if isinstance(values, str) else list(values)
    cleaned: list[str] = []
    for item in items:
        text = str(item).strip().upper()
        if not text:
            continue
        match = _CVE.match(text)
        if not match or int(match.group(1)) < 1999:
            raise InvalidInput("cve_ids", f"{item!r} is not a CVE id (e.g. CVE-2008-1447)")
        if text not in cleaned:
            cleaned.append(text)
    return cleaned
