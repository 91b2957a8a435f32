"""DNS health: the measurement engine (pure) and, later, its Django wrapping."""
