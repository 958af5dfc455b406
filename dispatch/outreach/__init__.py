"""Outreach: customer messages and dispatcher alerts through an outbox, delivered at most once."""
