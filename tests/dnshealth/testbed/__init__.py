"""Tests of the NSD test bed, the fault catalogue and the DNS-CERT's own checks."""
