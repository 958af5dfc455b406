"""Purna's HTTP API and the purna command line."""
