"""Coordinated vulnerability disclosure with DNS software vendors: cases, embargoes, statements."""
