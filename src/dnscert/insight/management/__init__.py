"""Management commands of insight."""
