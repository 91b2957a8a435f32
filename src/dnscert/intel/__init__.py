"""Situational awareness and data fusion: threat intelligence for the DNS community.

Feeds are parsed, normalised and enriched here (``feeds/``, ``experts/``), and patterns are
detected over them. ``dga/`` is the pure (Django-free) registry of domain generation
algorithms that computes the domains a malware family will contact, grouped per TLD for
blocking or pre-registration by the registries; ``cli.py`` is ``dnscert intel``.
"""
