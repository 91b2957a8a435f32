"""Outbound delivery: queued, retried, PGP-signed e-mail and HMAC-signed webhooks."""
