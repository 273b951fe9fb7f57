The way up for large municipalities: `make start-cluster` runs PostgreSQL, two Zope instances
sharing one RelStorage database (documents included), two room servers and nginx in front, on one
machine. Bookings stay conflict-free across instances, the mail and retention jobs may run on
several instances at once and still act exactly once, and the people of a video room meet whichever
instance and room-server process they reach (nginx routes every room to one process).
