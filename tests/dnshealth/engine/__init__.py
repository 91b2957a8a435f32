"""Tests of the pure DNS health engine against DNS servers on loopback."""
