"""Cleaning of advisory input: CVE ids, references, credits, audience and affected products.

Every function returns the cleaned value or raises :class:`InvalidInput` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from dnscert.advisories.choices import AdvisoryStatus, CsafCategory, ProductStatus
from dnscert.core.choices import TLP, Severity
from dnscert.core.exceptions import InvalidInput
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.models import Organisation, Product

#: CVE id as the CVE program writes it: a year and at least four digits.
CVE_PATTERN = re.compile(r"^CVE-(\d{4})-(\d{4,19})$")
TLD_PATTERN = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
MAX_TEXT_CHARS = 100_000
MAX_LIST_ITEMS = 200


def clean_text(
    value: Any, field: str, *, max_chars: int = MAX_TEXT_CHARS, required: bool = True
) -> str:
    """``value`` stripped; an error naming ``field`` when empty (if required) or too long."""
    text = str(value or "").strip()
    if required and not text:
        raise InvalidInput(field, "must not be empty")
    if len(text) > max_chars:
        raise InvalidInput(field, f"is {len(text)} characters long; at most {max_chars} allowed")
    if "\x00" in text:
        raise InvalidInput(field, "must not contain NUL characters")
    return text


def parse_choice(value: Any, choices: Any, field: str) -> str:
    """``value`` when it is one of ``choices`` (a TextChoices), else :class:`InvalidInput`."""
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise InvalidInput(field, f"unknown value {value!r}; expected one of {allowed}")
    return str(value)


def parse_tlp(value: Any, field: str = "tlp") -> str:
    """The TLP 2.0 label ``value`` names (``AMBER``, ``tlp:clear``...), else an error."""
    try:
        return TLP.parse(str(value or "")).value
    except ValueError as error:
        raise InvalidInput(field, str(error)) from None


def parse_severity(value: Any) -> str:
    return parse_choice(value, Severity, "severity")


def parse_category(value: Any) -> str:
    return parse_choice(value, CsafCategory, "csaf_category")


def parse_status(value: Any) -> str:
    return parse_choice(value, AdvisoryStatus, "status")


def _items(values: Iterable[Any] | None, field: str) -> list[Any]:
    if values is None:
        return []
    if isinstance(values, (str, bytes, Mapping)):
        raise InvalidInput(field, "must be a list")
    items = list(values)
    if len(items) > MAX_LIST_ITEMS:
        raise InvalidInput(field, f"has {len(items)} entries; at most {MAX_LIST_ITEMS} allowed")
    return items


def clean_cve_ids(values: Iterable[Any] | None) -> list[str]:
    """Upper-cased, de-duplicated CVE ids; ``CVE-12-1`` and friends are refused by name."""
    cleaned: list[str] = []
    for raw in _items(values, "cve_ids"):
        text = str(raw or "").strip().upper()
        if not text:
            continue
        if not CVE_PATTERN.match(text):
            raise InvalidInput(
                "cve_ids", f"{str(raw)[:60]!r} is not a CVE id (expected CVE-YYYY-NNNN)"
            )
        if text not in cleaned:
            cleaned.append(text)
    return cleaned


def clean_url(value: Any, field: str) -> str:
    text = clean_text(value, field, max_chars=2000)
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise InvalidInput(field, f"{text[:80]!r} is not an http(s) URL") from None
    return text


def clean_references(values: Iterable[Any] | None) -> list[dict[str, str]]:
    """``[{url, summary}]``: every URL http(s), every summary non-empty (defaults to the URL)."""
    cleaned: list[dict[str, str]] = []
    for index, raw in enumerate(_items(values, "references")):
        entry = raw if isinstance(raw, Mapping) else {"url": raw}
        url = clean_url(entry.get("url"), f"references[{index}].url")
        summary = clean_text(
            entry.get("summary") or url, f"references[{index}].summary", max_chars=500
        )
        cleaned.append({"url": url, "summary": summary})
    return cleaned


def clean_credits(values: Iterable[Any] | None) -> list[dict[str, str]]:
    """``[{name, summary}]`` with a name on each."""
    cleaned: list[dict[str, str]] = []
    for index, raw in enumerate(_items(values, "credits")):
        entry = raw if isinstance(raw, Mapping) else {"name": raw}
        name = clean_text(entry.get("name"), f"credits[{index}].name", max_chars=200)
        summary = clean_text(
            entry.get("summary"), f"credits[{index}].summary", max_chars=500, required=False
        )
        cleaned.append({"name": name, "summary": summary})
    return cleaned


def clean_audience_kinds(values: Iterable[Any] | None) -> list[str]:
    cleaned: list[str] = []
    for raw in _items(values, "audience_kinds"):
        kind = parse_choice(str(raw or "").strip(), OrganisationKind, "audience_kinds")
        if kind not in cleaned:
            cleaned.append(kind)
    return cleaned


def clean_audience_tlds(values: Iterable[Any] | None) -> list[str]:
    """TLD labels without dots, lower-cased (``.FR`` becomes ``fr``)."""
    cleaned: list[str] = []
    for raw in _items(values, "audience_tlds"):
        text = str(raw or "").strip().strip(".").lower()
        if not text:
            continue
        if not TLD_PATTERN.match(text):
            raise InvalidInput("audience_tlds", f"{str(raw)[:60]!r} is not a top-level domain")
        if text not in cleaned:
            cleaned.append(text)
    return cleaned


def clean_affected(values: Iterable[Any] | None) -> list[dict[str, Any]]:
    """Rows for :class:`AffectedProduct`: a directory product or a product name, a status.

    Each row is a mapping with ``product`` (a Product, its id, or absent), ``product_name``,
    ``vendor`` (an Organisation, its id, its name, or absent), ``versions``, ``status`` and
    ``statement``.
    """
    rows: list[dict[str, Any]] = []
    for index, raw in enumerate(_items(values, "affected")):
        if not isinstance(raw, Mapping):
            raise InvalidInput(f"affected[{index}]", "must be a mapping")
        field = f"affected[{index}]"
        product = _product(raw.get("product"), f"{field}.product")
        vendor = _vendor(raw.get("vendor"), f"{field}.vendor")
        if product is not None and vendor is None:
            vendor = product.vendor
        name = str(raw.get("product_name") or (product.name if product else "")).strip()
        name = clean_text(name, f"{field}.product_name", max_chars=200)
        rows.append(
            {
                "product": product,
                "vendor": vendor,
                "product_name": name,
                "versions": clean_text(
                    raw.get("versions"), f"{field}.versions", max_chars=200, required=False
                ),
                "status": parse_choice(
                    raw.get("status") or ProductStatus.KNOWN_AFFECTED,
                    ProductStatus,
                    f"{field}.status",
                ),
                "statement": clean_text(
                    raw.get("statement"), f"{field}.statement", max_chars=5000, required=False
                ),
            }
        )
    return rows


def _product(value: Any, field: str) -> Product | None:
    if value in (None, ""):
        return None
    if isinstance(value, Product):
        return value
    try:
        return Product.objects.select_related("vendor").get(pk=int(value))
    except (TypeError, ValueError, Product.DoesNotExist):
        raise InvalidInput(field, f"no product with id {value!r}") from None


def _vendor(value: Any, field: str) -> Organisation | None:
    if value in (None, ""):
        return None
    if isinstance(value, Organisation):
        return value
    found = None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        found = Organisation.objects.filter(pk=int(value)).first()
    if found is None:
        found = Organisation.objects.filter(name__iexact=str(value).strip()).first()
    if found is None:
        raise InvalidInput(field, f"no organisation {str(value)[:80]!r}")
    return found


def clean_products(values: Iterable[Any] | None, field: str = "audience_products") -> list[Product]:
    """Directory products from instances or ids; an unknown id is an error naming ``field``."""
    found: list[Product] = []
    for raw in _items(values, field):
        product = _product(raw, field)
        if product is not None and product not in found:
            found.append(product)
    return found
