"""DNSSEC09: RRSIG(SOA) must be valid and created by a valid DNSKEY (Zonemaster specification).

On every child name server the apex SOA must carry RRSIGs that are within their validity
period at the engine's clock, made with a supported algorithm by a key of the DNSKEY RRset,
and cryptographically valid.
"""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.dnssec_common import RrsigValidityCase
from dnscert.dnshealth.engine.model import Level
from dnscert.dnshealth.engine.registry import register


@register
class Dnssec09(RrsigValidityCase):
    """DNSSEC09: the SOA is validly signed by a DNSKEY of the zone on every server."""

    id = "DNSSEC09"
    module = "DNSSEC"
    description = "RRSIG(SOA) must be valid and created by a valid DNSKEY"
    rrtype = "SOA"
    prefix = "DS09"
    subject = "SOA"
    tags = {
        "DS09_ALGO_NOT_SUPPORTED_BY_ZM": Level.NOTICE,
        "DS09_MISSING_RRSIG_IN_RESPONSE": Level.ERROR,
        "DS09_NO_MATCHING_DNSKEY": Level.ERROR,
        "DS09_RRSIG_NOT_VALID_BY_DNSKEY": Level.ERROR,
        "DS09_SOA_RRSIG_EXPIRED": Level.ERROR,
        "DS09_SOA_RRSIG_NOT_YET_VALID": Level.ERROR,
    }
