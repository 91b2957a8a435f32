"""dnscert: a platform for running a DNS-CERT, the security coordination centre of the DNS."""

__version__ = "0.1.0"
