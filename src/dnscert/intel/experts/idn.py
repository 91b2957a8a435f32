"""IDN expert: every DNS name in both forms, A-label (punycode) and Unicode (U-label).

``source.fqdn`` (and ``destination.fqdn``) is rewritten to its lower-case ASCII form, as
IDNA 2008 with UTS #46 mapping gives it (``idna`` package), and ``*.fqdn_unicode`` gets the
Unicode form. Labels that are plain ASCII and not ``xn--`` pass through untouched (feeds
carry names with ``_`` that are not host names but are still DNS names). A label that is not
valid IDNA (a broken ``xn--`` label, disallowed code points) makes the event a failed
record whose reason names the label.
"""

from __future__ import annotations

from functools import lru_cache

import idna

from dnscert.intel.experts import reject
from dnscert.intel.schema import Event, FailedRecord, InvalidValue

_FIELDS = tuple(
    (side, f"{side}.fqdn", f"{side}.fqdn_unicode") for side in ("source", "destination")
)


@lru_cache(maxsize=65536)
def both_forms(name: str) -> tuple[str, str]:
    """``(A-label form, Unicode form)`` of a DNS name; raises InvalidValue for a bad label."""
    labels = name.rstrip(".").split(".")
    ascii_labels: list[str] = []
    unicode_labels: list[str] = []
    for label in labels:
        a_label, u_label = _label_forms(label, name)
        ascii_labels.append(a_label)
        unicode_labels.append(u_label)
    return ".".join(ascii_labels), ".".join(unicode_labels)


def _label_forms(label: str, name: str) -> tuple[str, str]:
    lower = label.lower()
    if lower.isascii() and not lower.startswith("xn--"):
        return lower, lower
    try:
        if lower.isascii():
            return lower, idna.decode(lower)
        a_label = idna.encode(label, uts46=True).decode("ascii")
        return a_label, idna.decode(a_label)
    except idna.IDNAError as exc:
        raise InvalidValue(
            "fqdn", f"label {label!r} of {name!r} is not valid IDNA: {exc}"
        ) from None


def _forms(name: str) -> tuple[str, str]:
    lower = name.lower()
    if lower.isascii() and "xn--" not in lower:
        return lower, lower  # nearly every name in a feed: no IDNA work, no cache churn
    return both_forms(name)


def to_ascii(name: str) -> str:
    """The A-label form of a DNS name."""
    return both_forms(name)[0]


def to_unicode(name: str) -> str:
    """The Unicode form of a DNS name."""
    return both_forms(name)[1]


class IdnExpert:
    """Sets ``*.fqdn`` to the A-label form and ``*.fqdn_unicode`` to the Unicode form."""

    name = "idn"

    def __call__(self, event: Event) -> Event | FailedRecord:
        """The event with both name forms, or a failed record naming the invalid label."""
        for side, fqdn_field, unicode_field in _FIELDS:
            fqdn = event.get(fqdn_field)
            if not fqdn:
                continue
            try:
                ascii_name, unicode_name = _forms(fqdn)
            except InvalidValue as exc:
                return reject(event, self.name, f"{side}.{exc}")
            event[fqdn_field] = ascii_name
            event[unicode_field] = unicode_name
        return event
