"""Demo data: a deterministic after-sales business in Greater Jakarta, loaded by the services."""
