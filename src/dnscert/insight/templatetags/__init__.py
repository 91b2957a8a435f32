"""Template tags of insight."""
