"""Management commands of vulnerability coordination."""
