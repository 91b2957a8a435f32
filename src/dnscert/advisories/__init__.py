"""Security advisories: drafting, review, publication, translations and CSAF 2.0."""
