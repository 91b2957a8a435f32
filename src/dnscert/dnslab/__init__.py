"""The lab nameserver: an authoritative DNS server serving a CoreDNS configuration subset.

It answers from zone files, templates and access rules on many loopback addresses at once, so
that deliberately broken DNS set-ups (Zonemaster's scenario data, training exercises) can be
served without NSD, Knot or BIND, which cannot express wrong answers, drops and flag changes.
"""
