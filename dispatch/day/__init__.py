"""A region's day for dispatchers: its visits, the current plan, what is left out and why."""
