"""Feedback: a one-time survey per completed visit (CSAT, NPS, CES and a comment)."""
