"""Browser tests: a real headless Chromium (Debian's) drives the live application."""
