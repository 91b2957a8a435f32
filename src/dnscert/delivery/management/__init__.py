"""Management commands of delivery."""
