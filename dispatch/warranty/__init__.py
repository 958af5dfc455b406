"""Warranty: is a repair free, and why (or why not)."""
