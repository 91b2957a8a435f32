"""Incident coordination: lifecycle, participants, journal, tasks, indicators, SLA clocks."""
