"""Several people in one appointment, and e-mail or a mobile number: a product's settings read."""

from collective.digitalebalie import _


MAX_PERSONS = 20
# The product's fields (in content/counter_product.py) and their help texts.
FIELDS = ("max_persons", "extra_minutes_per_person", "email_required")
# The product form's fieldset "Opening hours and booking".
BOOKING_FIELDSET = (
    "opening_hours",
    "closures",
    "min_notice_hours",
    "max_days_ahead",
    *FIELDS,
)
PERSONS_HELP = _(
    "For example a family that applies for three passports at once. "
    "1 means one person per appointment."
)
EXTRA_HELP = _(
    "An appointment for 3 people lasts the duration plus twice this many minutes."
)
EMAIL_HELP = _(
    "Switch off to let citizens give an e-mail address or a mobile "
    "number. With only a mobile number, the link and the reminders "
    "go by text message."
)


def appointment_minutes(product, persons=1):
    """How long an appointment for ``persons`` people takes: the duration and
    the extra minutes for each person after the first."""
    extra = getattr(product, "extra_minutes_per_person", 0) or 0
    return product.duration + (max(persons, 1) - 1) * extra


def max_persons(product):
    return max(getattr(product, "max_persons", 1) or 1, 1)


def email_required(product):
    """False: an e-mail address or a mobile number (at least one) will do."""
    return getattr(product, "email_required", True) is not False
