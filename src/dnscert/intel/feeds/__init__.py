"""Feed ingestion without Django: collectors read input, parsers turn it into schema events."""
