"""Tests of the DNS health pages, API and live check."""
