"""Bookings and the waitlist (SPEC §1, §3): book, cancel, join and leave the line,
enrol by a closed schedule's pass, and what a member sees."""
