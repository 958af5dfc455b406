"""Technicians: who they are, where they start, which skills they have."""
