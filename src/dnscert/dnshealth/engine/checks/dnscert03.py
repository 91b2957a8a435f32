"""DNSCERT03: resolvers must randomise source ports and query ids (DNS-OARC porttest scoring).

A resolver that sends its queries from few source ports, or with guessable ids, can have its
cache poisoned (the Kaminsky attack). Like DNS-OARC's porttest, we make the resolver ask an
authoritative server under our control: ``samples`` (default 26) unique TXT names below the
``probe_zone`` option; that server (see ``testbed/responders.py``, the porttest observer)
answers each with ``"address=A port=P id=I"`` as it saw the query, and the spread of the
ports and ids is rated by porttest's published thresholds on the standard deviation:
GREAT >= 3980 (13.75+ bits), GOOD >= 296 (10+ bits), POOR below. Ids are rated on the same
scale. Targets are the zone's name servers that recurse for anyone plus the ``resolvers``
option (a list of addresses). Without ``probe_zone`` nothing can be measured.
"""

from __future__ import annotations

import asyncio
import math
import re
import secrets
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import dns.name

from dnscert.dnshealth.engine.checks.dnscert_common import (
    MODULE,
    BadCheckOption,
    check_option,
    name_servers,
    number_option,
    recursed,
    recursion_probe_name,
)
from dnscert.dnshealth.engine.context import Answer, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

#: porttest's thresholds on the standard deviation of the observed values.
GREAT_MIN_STDEV = 3980.0
GOOD_MIN_STDEV = 296.0
DEFAULT_SAMPLES = 26
#: Below this many observations no rating is given.
MIN_OBSERVATIONS = 10
_OBSERVATION = re.compile(r"address=(?P<address>\S+) port=(?P<port>\d+) id=(?P<id>\d+)")


@dataclass(frozen=True)
class Rating:
    """A porttest-style rating of a series of ports or ids."""

    grade: str  # GREAT, GOOD or POOR
    stdev: float
    bits: float
    count: int


def rate(values: Sequence[int]) -> Rating:
    """Rate ``values`` by their population standard deviation, as porttest did.

    ``bits`` is the entropy a uniform distribution with that deviation would have:
    log2(stdev * sqrt(12)), so 3980 is 13.75 bits and 296 is 10 bits.
    """
    if len(values) < 2:
        raise ValueError(f"rating needs at least two values, got {len(values)}")
    stdev = statistics.pstdev(values)
    bits = math.log2(stdev * math.sqrt(12)) if stdev > 0 else 0.0
    grade = "GREAT" if stdev >= GREAT_MIN_STDEV else "GOOD" if stdev >= GOOD_MIN_STDEV else "POOR"
    return Rating(grade, round(stdev, 1), round(bits, 2), len(values))


@dataclass(frozen=True)
class Observation:
    """What the observing server saw of one query: source address, port and id."""

    address: str
    port: int
    query_id: int


def parse_observation(response: object) -> Observation | None:
    """The observation in a TXT answer, or None when the answer carries none."""
    if not isinstance(response, Answer):
        return None
    for rdata in response.records("TXT"):
        text = b"".join(rdata.strings).decode("ascii", "replace")
        match = _OBSERVATION.fullmatch(text.strip())
        if match:
            return Observation(match["address"], int(match["port"]), int(match["id"]))
    return None


async def observe(
    ctx: ZoneContext, resolver: str, probe_zone: dns.name.Name, samples: int
) -> list[Observation]:
    """Ask ``resolver`` for ``samples`` fresh names below ``probe_zone``; collect observations."""
    nonce = secrets.token_hex(4)
    names = [dns.name.from_text(f"dc03-{nonce}-{index}", probe_zone) for index in range(samples)]
    responses = await asyncio.gather(*(ctx.query(resolver, name, "TXT", rd=True) for name in names))
    return [obs for obs in map(parse_observation, responses) if obs is not None]


@register
class Dnscert03(TestCase):
    """Source-port and query-id randomisation of resolvers, porttest style."""

    id = "DNSCERT03"
    module = MODULE
    description = "Resolvers must randomise source ports and query ids"
    tags = {
        "DC03_PORTS_GREAT": Level.INFO,
        "DC03_PORTS_GOOD": Level.NOTICE,
        "DC03_PORTS_POOR": Level.ERROR,
        "DC03_IDS_GREAT": Level.INFO,
        "DC03_IDS_GOOD": Level.NOTICE,
        "DC03_IDS_POOR": Level.ERROR,
        "DC03_TOO_FEW_OBSERVATIONS": Level.NOTICE,
        "DC03_NOT_CONFIGURED": Level.DEBUG,
        "DC03_NO_RESOLVER": Level.DEBUG,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        targets = await self._targets(ctx)
        if not targets:
            return [self.msg("DC03_NO_RESOLVER")]
        zone_text = check_option(ctx, self.id, "probe_zone", None)
        if not zone_text:
            return [self.msg("DC03_NOT_CONFIGURED", resolvers=targets)]
        probe_zone = dns.name.from_text(str(zone_text))
        samples = int(number_option(ctx, self.id, "samples", DEFAULT_SAMPLES))
        messages: list[Message] = []
        for resolver in targets:
            observations = await observe(ctx, resolver, probe_zone, samples)
            messages.extend(self._rate(resolver, observations))
        return messages

    async def _targets(self, ctx: ZoneContext) -> list[str]:
        given = check_option(ctx, self.id, "resolvers", [])
        if not isinstance(given, list | tuple) or not all(isinstance(a, str) for a in given):
            raise BadCheckOption(f"{self.id} option 'resolvers' must be a list of addresses")
        probe = recursion_probe_name(ctx)
        targets = list(given)
        for server in await name_servers(ctx):
            assert server.address is not None
            if server.address in targets:
                continue
            if recursed(await ctx.query(server.address, probe, "A", rd=True)):
                targets.append(server.address)
        return targets

    def _rate(self, resolver: str, observations: list[Observation]) -> list[Message]:
        if len(observations) < MIN_OBSERVATIONS:
            return [
                self.msg(
                    "DC03_TOO_FEW_OBSERVATIONS",
                    resolver=resolver,
                    count=len(observations),
                    needed=MIN_OBSERVATIONS,
                )
            ]
        messages = []
        series = {
            "PORTS": [obs.port for obs in observations],
            "IDS": [obs.query_id for obs in observations],
        }
        for kind, values in series.items():
            rating = rate(values)
            messages.append(
                self.msg(
                    f"DC03_{kind}_{rating.grade}",
                    resolver=resolver,
                    stdev=rating.stdev,
                    bits=rating.bits,
                    count=rating.count,
                    distinct=len(set(values)),
                    egress=sorted({obs.address for obs in observations}),
                )
            )
        return messages
