"""Booking: route-aware slot offers, bookings under a per-day lock, reschedule and cancel."""
