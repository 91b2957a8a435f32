"""Exercises and training: contact-reachability drills and scenario exercises with injects."""
