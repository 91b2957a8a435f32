"""Tests of incident coordination."""
