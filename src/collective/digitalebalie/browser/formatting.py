"""Dates, times and prices the way a Dutch or English reader expects them."""

from babel.dates import format_date
from babel.numbers import format_currency
from collective.digitalebalie import _
from decimal import Decimal
from decimal import InvalidOperation
from plone import api
from zope.i18n import translate
import json


def language():
    lang = (api.portal.get_current_language() or "nl")[:2]
    return lang if lang in ("nl", "en") else "nl"


def messages_json(messages, request):
    """A table of messages in the page's language, as JSON for a page's script."""
    return json.dumps(
        {key: translate(message, context=request) for key, message in messages.items()}
    )


def persons(appointment, request):
    """'3 people' for a household's appointment, '' for one person."""
    count = getattr(appointment, "persons", 1) or 1
    if count <= 1:
        return ""
    return translate(
        _("${persons} people", mapping={"persons": count}), context=request
    )


def long_date(day, lang=None):
    """'dinsdag 1 december 2026' / 'Tuesday 1 December 2026'."""
    return format_date(day, "EEEE d MMMM y", locale=lang or language())


def short_date(day, lang=None):
    """'di 1 dec.' / 'Tue 1 Dec'."""
    return format_date(day, "EEE d MMM", locale=lang or language())


def clock(moment):
    return moment.strftime("%H:%M")


def price(value, lang=None):
    """'€ 24,50' / '€24.50'; None when free or not a number."""
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    if amount == 0:
        return None
    return format_currency(amount, "EUR", locale=lang or language())


def weekday_name(weekday, lang=None):
    from babel import Locale

    return Locale.parse(lang or language()).days["format"]["wide"][weekday]
