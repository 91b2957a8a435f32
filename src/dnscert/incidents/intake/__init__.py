"""The 24x7 point of contact's intake: report forms, API and inbound e-mail."""
