"""Template tags of delivery."""
