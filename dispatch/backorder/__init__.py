"""Visits failed for a missing part: they wait for it, and once it is in stock in their region
the follow-up visit is opened and the customer told."""
