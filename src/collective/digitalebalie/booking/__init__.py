"""Booking rules as pure functions: no Plone imports, fast, tested on their own."""
