"""Geocoding: addresses to coordinates, with results cached (the geocoder client comes later)."""
