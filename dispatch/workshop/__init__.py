"""Partner workshops (bengkel rekanan): their bays, opening hours and services, and bay bookings."""
