"""Product models and their service policy: warranty, free services, visit durations and skills."""
