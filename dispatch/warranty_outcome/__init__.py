"""Warranty outcomes: when a warranty repair fails, repair again, replace the unit or refund."""
