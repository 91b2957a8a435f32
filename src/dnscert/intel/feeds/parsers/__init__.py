"""The built-in feed parsers, one module per format; importing this package registers them.

Use :func:`dnscert.intel.feeds.registry.get` to look a parser up by name.
"""

from dnscert.intel.feeds.parsers import (  # noqa: F401  (imported to register)
    feodo,
    generic_csv,
    misp_feed,
    openphish,
    phishtank,
    plain,
    shadowserver,
    spamhaus_drop,
    sslbl,
    stix,
    urlhaus,
    xarf,
)
from dnscert.intel.feeds.registry import get, parsers, register

__all__ = ["get", "parsers", "register"]
