"""Purnas business: after-sales domain, persistence, planning runs, jobs.' > dispatch/__init__.py && echo 'Purnas HTTP API and command line."""
