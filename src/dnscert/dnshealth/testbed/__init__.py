"""A real-server DNS test bed: a generated root, TLDs and child zones served by NSD on 127/8.

``generator.build_bed(BedSpec(...), directory)`` plans and writes the hierarchy (a share of the
zones DNSSEC-signed, a share carrying one injected fault each, see ``faults.py``) with a JSON
manifest of the faults; ``serve.serve_bed(bed)`` runs one NSD per server group plus the small
misbehaving responders of ``responders.py`` until the ``with`` block ends. Pure Python: no
Django import, usable from tests, benchmarks and the command line.
"""
