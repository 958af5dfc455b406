"""Visits: a technician at a customer, in a promised window, through a lifecycle."""
