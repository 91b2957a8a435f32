"""Quality and evidence: after-action reports, feedback, KPIs and threat statistics."""
