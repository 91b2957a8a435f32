"""Tests of the DNSSEC test cases and their helpers (dnssec_util)."""
