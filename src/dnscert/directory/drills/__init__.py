"""Reachability drills: test that each constituent's 24x7 contacts answer, and how fast."""
