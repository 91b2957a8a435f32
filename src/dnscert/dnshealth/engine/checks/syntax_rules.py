"""Name syntax rules shared by the SYNTAX test cases (RFC 952, 1035, 1123, 2181, 3696, 5322).

Labels use letters, digits and hyphens; no label starts or ends with a hyphen; ``--`` in
positions 3 and 4 is reserved for ``xn--`` (IDNA); a host name's top-level label is not all
digits. ``mailbox_of`` turns a SOA RNAME into an e-mail address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import dns.name

LDH = re.compile(rb"^[A-Za-z0-9-]+$")
ATEXT = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$")
MAX_LABEL = 63
MAX_NAME = 255


def labels(name: dns.name.Name) -> list[bytes]:
    """The labels of ``name`` without the empty root label."""
    return [label for label in name.labels if label]


def label_text(label: bytes) -> str:
    """A label for messages (non-ASCII bytes escaped)."""
    return dns.name.Name((label,)).to_text(omit_final_dot=True)


def non_ldh_labels(name: dns.name.Name) -> list[bytes]:
    """Labels with characters other than letters, digits and hyphens."""
    return [label for label in labels(name) if not LDH.match(label)]


def discouraged_double_dash(label: bytes) -> bool:
    """``--`` in positions 3 and 4 without the ``xn`` prefix."""
    return len(label) >= 4 and label[2:4] == b"--" and label[:2].lower() != b"xn"


def numeric_tld(name: dns.name.Name) -> bool:
    """True when the rightmost label is made of digits only."""
    parts = labels(name)
    return bool(parts) and parts[-1].isdigit()


@dataclass(frozen=True)
class HostnameProblems:
    """What is wrong with a host name (name server, MNAME or MX)."""

    non_allowed: list[bytes]
    double_dash: list[bytes]
    numeric_tld: bool
    too_long: bool

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not (self.non_allowed or self.double_dash or self.numeric_tld or self.too_long)


def hostname_problems(name: dns.name.Name) -> HostnameProblems:
    """Check ``name`` against the host name rules."""
    parts = labels(name)
    too_long = (
        any(len(label) > MAX_LABEL for label in parts) or len(name.to_wire() or b"") > MAX_NAME
    )
    return HostnameProblems(
        non_allowed=non_ldh_labels(name),
        double_dash=[label for label in parts if discouraged_double_dash(label)],
        numeric_tld=numeric_tld(name),
        too_long=too_long,
    )


def mailbox_of(rname: dns.name.Name) -> tuple[str, dns.name.Name] | None:
    """(local part, mail domain) of a SOA RNAME, or None when it has a single label."""
    parts = labels(rname)
    if len(parts) < 2:
        return None
    local = parts[0].decode("latin-1")
    return local, dns.name.Name((*parts[1:], b""))


def valid_local_part(local: str) -> bool:
    """RFC 5322 dot-atom: atext runs separated by single dots."""
    return all(ATEXT.match(atom) for atom in local.split("."))
