"""Planning: plans stored per region and day (the planning service that fills them comes later)."""
