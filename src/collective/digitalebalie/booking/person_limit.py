"""How many open appointments one person may have on one product (issue 15)."""

from collective.digitalebalie import _
from collective.digitalebalie import limits
from collective.digitalebalie import logger
from collective.digitalebalie.errors import TooManyBookings
from collective.digitalebalie.settings import now_utc
from plone import api


def check_person_limit(product, clean, now=None):
    """Refuse a booking by someone who has enough open appointments here."""
    if not limits.enabled():
        return
    maximum = limits.max_open()
    found = limits.open_bookings(
        product, clean["email"], clean["phone"], now or now_utc()
    )
    if found >= maximum:
        logger.warning(
            "booking refused: %s open appointments (person %s, product %s)",
            found,
            limits.label("email", clean["email"].lower()),
            api.content.get_uuid(product),
        )
        raise TooManyBookings(
            _(
                "You already have ${count} appointments for this service that "
                "have not taken place yet. To change one, move or cancel it with "
                "the link in your e-mail. Or call the municipality.",
                mapping={"count": found},
            )
        )
