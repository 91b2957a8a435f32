"""CONSISTENCY01: SOA serial number consistency (Zonemaster Consistency-TP/consistency01)."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.consistency_common import first_soa, survey
from dnscert.dnshealth.engine.context import Answer, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

SERIAL_HALF = 2**31


def serial_distance(low: int, high: int) -> int | None:
    """``high - low`` in RFC 1982 arithmetic, or None when the order is undefined."""
    difference = (high - low) % 2**32
    if difference == SERIAL_HALF:
        return None
    return difference if difference < SERIAL_HALF else None


def serial_spread(serials: list[int]) -> int | None:
    """Distance from the lowest to the highest serial, or None without a unique order."""
    for low in serials:
        distances = [serial_distance(low, other) for other in serials]
        if all(distance is not None for distance in distances):
            return max(distance for distance in distances if distance is not None)
    return None


def _serial(response: Answer) -> int | None:
    soa = first_soa(response)
    return int(soa.serial) if soa is not None else None


@register
class Consistency01(TestCase):
    """Every name server serves the same SOA serial (or within the accepted difference)."""

    id = "CONSISTENCY01"
    module = "Consistency"
    description = "SOA serial number consistency"
    tags = {
        "MULTIPLE_SOA_SERIALS": Level.WARNING,
        "MULTIPLE_SOA_SERIALS_OK": Level.NOTICE,
        "NO_RESPONSE": Level.DEBUG,
        "NO_RESPONSE_SOA_QUERY": Level.DEBUG,
        "ONE_SOA_SERIAL": Level.INFO,
        "SOA_SERIAL": Level.INFO,
        "SOA_SERIAL_VARIATION": Level.NOTICE,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        found = await survey(ctx, "SOA", _serial)
        messages = [self.msg("NO_RESPONSE", ns=str(server)) for server in found.silent]
        messages += [self.msg("NO_RESPONSE_SOA_QUERY", ns=str(s)) for s in found.without_data]
        serials = sorted(int(serial) for serial in found.groups)
        accepted = int(ctx.config.check_options.get(self.id, {}).get("accepted_difference", 0))
        if len(serials) == 1:
            messages.append(self.msg("ONE_SOA_SERIAL", serial=serials[0]))
        elif serials:
            spread = serial_spread(serials)
            if spread is None or spread > accepted:
                messages.append(
                    self.msg("SOA_SERIAL_VARIATION", serial_min=serials[0], serial_max=serials[-1])
                )
                messages.append(self.msg("MULTIPLE_SOA_SERIALS", count=len(serials)))
            else:
                messages.append(self.msg("MULTIPLE_SOA_SERIALS_OK", count=len(serials)))
        messages += [
            self.msg("SOA_SERIAL", serial=serial, ns_list=ns_list(servers))
            for serial, servers in found.groups.items()
        ]
        return messages
