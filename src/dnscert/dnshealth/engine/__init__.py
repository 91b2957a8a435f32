"""The DNS health engine: discovery, queries and Zonemaster-style test cases, with no Django.

Entry points: :func:`dnscert.dnshealth.engine.runner.check_zone` and
:func:`dnscert.dnshealth.engine.runner.check_zones`; the ``dnscert check`` command lives in
:mod:`dnscert.dnshealth.engine.cli`. See ``README.md`` beside this file for check authors.
"""
