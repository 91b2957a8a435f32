"""Patterns over the fused threat data: registrar/TLD concentration and DGA coordination."""
