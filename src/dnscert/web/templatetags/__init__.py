"""Template tags of the web faces."""
