"""Tests of vulnerability coordination."""
