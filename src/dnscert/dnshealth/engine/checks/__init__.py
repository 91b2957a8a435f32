"""Check modules, one per Zonemaster test case; each registers itself with ``@register``.

Every module in this package is imported by :func:`dnscert.dnshealth.engine.registry.load_checks`.
"""
