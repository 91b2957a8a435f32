"""On-call rotas of the extended team, coverage, paging and escalation."""
