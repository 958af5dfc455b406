"""The technician's day in the field: the published route with ETAs, and the events that move it."""
