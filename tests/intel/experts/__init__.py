"""Tests of the enrichment experts."""
