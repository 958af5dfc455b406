"""Customers: who owns the assets and receives the visits."""
