"""Template tags of the incident pages."""
