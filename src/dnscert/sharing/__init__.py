"""Sharing with the wider community: STIX 2.1 over TAXII 2.1, the MISP feed, security.txt."""
