"""What each process reports about itself: Prometheus metrics and one-JSON-object log lines."""
