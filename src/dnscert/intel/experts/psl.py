"""PSL expert: registered domain, public suffix and TLD of every DNS name, fully offline.

Uses the Public Suffix List shipped inside the ``publicsuffixlist`` wheel (no network, ever).
By default only the ICANN section counts (``icann_only=True``): the registrable domain is
then the one a registrar sells, which is what registrar concentration and TLD statistics
need; pass ``icann_only=False`` to honour private suffixes such as hosting platforms.

A TLD the list does not know (our test TLDs ``xa``..``xd``, or a brand-new TLD) is treated
as a one-label suffix, as the PSL's default ``*`` rule says. A name that is itself a public
suffix (``co.uk``) gets ``domain_suffix`` and ``tld`` but no ``registered_domain``.
Run the IDN expert first so names are in A-label form.
"""

from __future__ import annotations

from functools import lru_cache

from publicsuffixlist import PublicSuffixList

from dnscert.intel.schema import Event

_SIDES = ("source", "destination")


class PslExpert:
    """Sets ``*.registered_domain``, ``*.domain_suffix`` and ``*.tld`` from ``*.fqdn``."""

    name = "psl"

    def __init__(self, icann_only: bool = True, cache_size: int = 131072) -> None:
        self._list = PublicSuffixList(only_icann=icann_only, accept_unknown=True)
        self.split = lru_cache(maxsize=cache_size)(self._split)

    def _split(self, name: str) -> tuple[str | None, str | None, str]:
        """``(registered domain, public suffix, tld)`` of a lower-case name."""
        registered = self._list.privatesuffix(name)
        if registered:  # one PSL walk: the suffix is the registered domain minus its first label
            suffix: str | None = registered.split(".", 1)[1]
        else:
            suffix = self._list.publicsuffix(name)
        return registered, suffix, name.rsplit(".", 1)[-1]

    def __call__(self, event: Event) -> Event:
        """The event with the PSL fields of each DNS name it carries."""
        for side in _SIDES:
            fqdn = event.get(f"{side}.fqdn")
            if not fqdn:
                continue
            registered, suffix, tld = self.split(fqdn.lower())
            if registered:
                event[f"{side}.registered_domain"] = registered
            if suffix:
                event[f"{side}.domain_suffix"] = suffix
            event[f"{side}.tld"] = tld
        return event
