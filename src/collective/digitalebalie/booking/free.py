"""The free slots of a product over some days, and the version they have.

Each day's slots come from the cache (``store.cached_day``), computed as if
the whole day were ahead; what the clock has taken (the notice, today's
passed times) is cut afterwards. The version is a key for what is made of
the slots (the JSON of @slots, the picker's markup): it changes whenever they
may, at once and in every instance.
"""

from collective.digitalebalie.booking import rules
from collective.digitalebalie.booking import store
from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta


def versioned_slots(product_rules, first_day, last_day, now, persons=1):
    """(free slots, version) of ``product_rules``' product from first_day
    to last_day that a citizen can book at ``now``.

    The version holds the site's time zone, the length of the appointment,
    today, the serials of the product (its hours, closures, notice and
    horizon) and of each day's ledger records (``store.day_version``: every
    booking, cancellation and move writes them), and the number of slots
    left: None when this transaction changed one of them.
    """
    tz = product_rules.tz
    today = now.astimezone(tz).date()
    earliest = now + timedelta(hours=product_rules.min_notice_hours)
    day = max(first_day, today)
    last_day = min(last_day, today + timedelta(days=product_rules.max_days_ahead))
    length = product_rules.minutes(persons)
    product = product_rules.product
    ledger = store.ledger_of(product)
    result = []
    versions = [tz.key, length, today.toordinal(), store.serial(product)]
    # Only the day of the earliest start loses times to the clock: a day's
    # slots start on that (local) day.
    cut = earliest.astimezone(tz).date()
    while day <= last_day:
        version, slots = day_slots(product_rules, day, length, ledger)
        versions.append(version)
        if day > cut:
            result.extend(slots)
        elif day == cut:
            result.extend(s for s in slots if s.start >= earliest)
        day += timedelta(days=1)
    # The days' versions fix their slots; what the clock took away from them
    # is always a first part, so the number left tells the rest.
    versions.append(len(result))
    return result, (None if None in versions else tuple(versions))


def day_slots(product_rules, day, length, ledger=store.ASK):
    """(version, free slots) of one day, whatever the time now: cached per
    product, day and length, keyed on what the ledger and the product wrote."""
    midnight = datetime.combine(day, time(0), tzinfo=product_rules.tz)
    product = product_rules.product
    # On the spring's short day a long slot may end after midnight: its
    # bookings and version take the next day's ledger record as well.
    last = rules.last_day_reached(day, product_rules.tz)
    return store.cached_day(
        product,
        day,
        (product_rules.tz.key, length),
        lambda: tuple(
            rules.free_slots(
                periods=product_rules.periods,
                closures=product_rules.closures,
                duration=product_rules.duration,
                tz=product_rules.tz,
                first_day=day,
                last_day=day,
                now=midnight.astimezone(UTC),
                max_days_ahead=0,
                booked=store.booked_intervals(product, day, last),
                length=length,
            )
        ),
        last,
        ledger,
    )
