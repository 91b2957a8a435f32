"""DNSSEC08: Valid RRSIG for DNSKEY (Zonemaster specification, same tags).

On every child name server the DNSKEY RRset must carry RRSIGs that are within their validity
period at the engine's clock, made with a supported algorithm by a key of the RRset, and
cryptographically valid.
"""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.dnssec_common import RrsigValidityCase
from dnscert.dnshealth.engine.model import Level
from dnscert.dnshealth.engine.registry import register


@register
class Dnssec08(RrsigValidityCase):
    """DNSSEC08: the DNSKEY RRset is validly self-signed on every server."""

    id = "DNSSEC08"
    module = "DNSSEC"
    description = "Valid RRSIG for DNSKEY"
    rrtype = "DNSKEY"
    prefix = "DS08"
    subject = "DNSKEY"
    tags = {
        "DS08_ALGO_NOT_SUPPORTED_BY_ZM": Level.NOTICE,
        "DS08_DNSKEY_RRSIG_EXPIRED": Level.ERROR,
        "DS08_DNSKEY_RRSIG_NOT_YET_VALID": Level.ERROR,
        "DS08_MISSING_RRSIG_IN_RESPONSE": Level.ERROR,
        "DS08_NO_MATCHING_DNSKEY": Level.ERROR,
        "DS08_RRSIG_NOT_VALID_BY_DNSKEY": Level.ERROR,
    }
