"""Complaints: filed about a unit, a visit or a delivery, answered within per-category SLAs."""
