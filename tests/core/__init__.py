"""Tests of the core: visibility, audit, authentication, tokens, permissions."""
