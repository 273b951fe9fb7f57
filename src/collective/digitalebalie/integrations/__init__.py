"""Links to the world outside Plone: mail (with iCalendar), later SMS, scanning, payments."""
