Counter products with opening hours, closures, notice and horizon; citizens book a time without an
account on an accessible product page (keyboard, screen reader, 320 px phone, Dutch and English) and
view, move or cancel it through a secret link. REST: `@slots`, `@book`, `@appointment/{token}`
(cancel, reschedule) and `@appointments` for counter staff. Concurrent bookings never exceed the
number of counters.
