"""The dnscert test suite; mirrors src/dnscert/."""
