"""DNSSEC14: Check for valid RSA DNSKEY key size (Zonemaster specification, same tags).

RSA keys must be within the sizes their algorithm's RFC allows (512-4096 bits; 1024-4096 for
RSA/SHA-512) and, following NIST SP 800-57, at least 2048 bits. Keys of other algorithms are
not measured here.
"""

from __future__ import annotations

from typing import Any

from dnscert.dnshealth.engine import dnssec_util as du
from dnscert.dnshealth.engine.checks.dnssec_common import child_servers
from dnscert.dnshealth.engine.context import Answer, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

#: Algorithm -> (minimum, maximum) RSA modulus size in bits (the DNSSEC14 key size table).
KEY_SIZES: dict[int, tuple[int, int]] = {
    5: (512, 4096),
    7: (512, 4096),
    8: (512, 4096),
    10: (1024, 4096),
}
#: NIST SP 800-57 Part 1 recommended minimum for RSA.
RECOMMENDED_BITS = 2048


@register
class Dnssec14(TestCase):
    """DNSSEC14: RSA DNSKEYs have sizes their algorithm allows and NIST recommends."""

    id = "DNSSEC14"
    module = "DNSSEC"
    description = "Check for valid RSA DNSKEY key size"
    tags = {
        "DNSKEY_SMALLER_THAN_REC": Level.WARNING,
        "DNSKEY_TOO_LARGE_FOR_ALGO": Level.ERROR,
        "DNSKEY_TOO_SMALL_FOR_ALGO": Level.ERROR,
        "KEY_SIZE_OK": Level.INFO,
        "NO_RESPONSE": Level.DEBUG,
        "NO_RESPONSE_DNSKEY": Level.ERROR,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        messages: list[Message] = []
        keys: list[Any] = []
        for server in (await child_servers(ctx)).entries:
            assert server.address is not None
            result = await ctx.query(server.address, ctx.zone, "DNSKEY", dnssec=True)
            if not isinstance(result, Answer):
                messages.append(self.msg("NO_RESPONSE", ns=str(server)))
                continue
            found = result.records("DNSKEY", name=ctx.zone)
            if not found:
                messages.append(self.msg("NO_RESPONSE_DNSKEY", ns=str(server)))
            keys.extend(key for key in found if key not in keys)
        if not keys:
            return []  # an unsigned zone: the test case does not apply
        size_messages = [m for key in keys for m in self._judge(key)]
        messages.extend(size_messages)
        if keys and not size_messages and all(m.tag == "NO_RESPONSE" for m in messages):
            messages.append(self.msg("KEY_SIZE_OK"))
        return messages

    def _judge(self, key: Any) -> list[Message]:
        limits = KEY_SIZES.get(int(key.algorithm))
        if limits is None:
            return []
        try:
            bits = du.rsa_modulus_bits(key)
        except ValueError:
            bits = 0  # no usable modulus at all: certainly too small
        args = {
            "keytag": du.key_tag(key),
            "algo_num": int(key.algorithm),
            "algo_descr": du.key_algorithm_info(int(key.algorithm)).description,
            "keysize": bits,
        }
        minimum, maximum = limits
        if bits < minimum:
            return [self.msg("DNSKEY_TOO_SMALL_FOR_ALGO", keysizemin=minimum, **args)]
        if bits < RECOMMENDED_BITS:
            return [self.msg("DNSKEY_SMALLER_THAN_REC", keysizerec=RECOMMENDED_BITS, **args)]
        if bits > maximum:
            return [self.msg("DNSKEY_TOO_LARGE_FOR_ALGO", keysizemax=maximum, **args)]
        return []
