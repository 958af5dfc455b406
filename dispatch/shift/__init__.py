"""Shifts: weekly working pattern, exceptions (leave, sick, extra shift) and the working day."""
