"""Tests of the DNS health area."""
