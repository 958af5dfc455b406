"""Regions: a service area with its time zone and travel settings."""
