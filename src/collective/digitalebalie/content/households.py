"""Several people in one appointment, and e-mail or a mobile number: a product's settings read."""

MAX_PERSONS = 20


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
