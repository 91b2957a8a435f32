"""Conficker.C (Downadup.C, March 2009): 50,000 domains a day over 116 suffixes in 110 TLDs.

Same generator as A and B with C's constants (the seed divisor is two days of FILETIME
ticks instead of one week); label length ``|draw % 6| + 4`` (4 to 9 letters); the suffix is
the table below (116 entries, ccTLDs and second-level registries such as ``co.uk`` or
``com.br``, 110 distinct TLDs) indexed by ``|draw| % 116``. An infected host contacts only
500 of the day's 50,000 names, chosen with a non-reproducible local random source, so the
whole list is what a registry must block or pre-register.

Not validated: we found no published reference output of Conficker.C's generator (downatool2
listings cover A and B only) and no dated sample of C domains to test against. The
constants, length rule, suffix table and count are those of the published analyses (SRI's
Conficker C analysis; Leder and Werner), and the generator they feed is the one validated
exactly for A and B; the ``|draw|`` of the suffix index is taken mathematically, where C's
``labs(INT_MIN)`` would index outside the table.
"""

from __future__ import annotations

from typing import ClassVar

from dnscert.intel.dga.base import register
from dnscert.intel.dga.conficker import ConfickerConstants, ConfickerFamily, c_remainder

_SUFFIXES = """
ac ae ag am as at be bo bz ca cd ch cl cn co.cr co.id co.il co.ke co.kr co.nz co.ug co.uk co.vi
co.za com.ag com.ai com.ar com.bo com.br com.bs com.co com.do com.fj com.gh com.gl com.gt com.hn
com.jm com.ki com.lc com.mt com.mx com.ng com.ni com.pa com.pe com.pr com.pt com.py com.sv com.tr
com.tt com.tw com.ua com.uy com.ve cx cz dj dk dm ec es fm fr gd gr gs gy hk hn ht hu ie im in ir
is kn kz la lc li lu lv ly md me mn ms mu mw my nf nl no pe pk pl ps ro ru sc sg sh sk su tc tj tl
tn to tw us vc vn
"""


@register
class ConfickerC(ConfickerFamily):
    """Conficker.C's generator (unvalidated, see the module docstring)."""

    name: ClassVar[str] = "conficker-c"
    description: ClassVar[str] = (
        "Conficker.C: 50,000 domains a day in 116 suffixes of 110 TLDs (unvalidated)"
    )
    tlds: ClassVar[tuple[str, ...]] = tuple(_SUFFIXES.split())
    domains_per_day: ClassVar[int] = 50_000
    constants: ClassVar[ConfickerConstants] = ConfickerConstants(
        seed_multiplier=0x2682D10B7,
        seed_divisor=0x19254D38000,
        seed_offset=0xF1E34A09,
        step_multiplier=0x4F3D859E,
        step_addend=0.946270391,
    )

    def label_length(self, draw: int) -> int:
        """4 to 9 letters."""
        return abs(c_remainder(draw, 6)) + 4

    def suffix(self, draw: int) -> str:
        """One of the 116 suffixes."""
        return self.tlds[abs(draw) % len(self.tlds)]
