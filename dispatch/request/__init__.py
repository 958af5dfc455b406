"""Service requests: what a customer asks for, and who pays for it."""
