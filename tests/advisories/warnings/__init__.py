"""Tests of watch and warning: rules, subscriptions, channels, pages and API."""
