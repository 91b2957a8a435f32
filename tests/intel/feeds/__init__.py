"""Tests of the feed parsers and collectors."""
