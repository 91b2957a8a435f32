"""Tests of insight: after-action reports, feedback surveys, KPIs."""
