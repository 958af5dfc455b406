"""Geocoding: addresses to coordinates through geopy, with results cached in the database."""
