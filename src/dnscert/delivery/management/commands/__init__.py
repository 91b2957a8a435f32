"""``dnscert delivery ...``: the platform key, test e-mails, queue status, retries."""
