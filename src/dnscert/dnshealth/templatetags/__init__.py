"""Template tags of the DNS health pages."""
