"""A technician's route for a day: ordered stops with what to do there, and ETAs from the events."""
