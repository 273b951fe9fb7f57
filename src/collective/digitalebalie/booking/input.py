"""What a citizen or an employee sends to book: parsing and checks.

Input that can never be right is refused here (400, InvalidInput, with the
field in words); whether a well-formed time is free is the actions' business.
"""

from collective.digitalebalie import _
from collective.digitalebalie import multilingual
from collective.digitalebalie import validation
from collective.digitalebalie.booking.rules import MAX_RANGE_DAYS
from collective.digitalebalie.content.appointment import LANGUAGES
from collective.digitalebalie.content.households import email_required
from collective.digitalebalie.content.households import max_persons
from collective.digitalebalie.errors import InvalidInput
from collective.digitalebalie.integrations import texts
from collective.digitalebalie.settings import now_utc
from collective.digitalebalie.settings import site_timezone
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
import re


MAX_NOTES = 2000


def parse_start(value):
    """An ISO 8601 datetime with offset (or Z) to an aware datetime."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(_("Choose a time."), {"start": _("Choose a time.")})
    try:
        start = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        # Far-off years cannot be converted between time zones.
        start.astimezone(UTC)
    except (ValueError, OverflowError):
        start = None
    if start is None or start.tzinfo is None:
        raise InvalidInput(
            _("The start time is not valid."),
            {
                "start": _(
                    "Use a date and time with offset, e.g. 2026-12-01T09:00:00+01:00."
                )
            },
        )
    return start


def parse_day(value, name):
    try:
        day = date.fromisoformat(value)
        day + timedelta(days=MAX_RANGE_DAYS + 1)  # far-off dates cannot be ranged
        return day
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(
            _("The date is not valid."), {name: _("Use YYYY-MM-DD.")}
        ) from None


def check_range(first, last):
    """Refuse a range that ends before it starts or is longer than MAX_RANGE_DAYS."""
    if last < first:
        raise InvalidInput(
            _("The end date is before the start date."),
            {"end": _("Use a date on or after the start date.")},
        )
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput(
            _(
                "Ask for at most ${days} days at once.",
                mapping={"days": MAX_RANGE_DAYS},
            ),
            {"end": _("Choose a shorter period.")},
        )


def parse_range(form, default_days=0):
    """The ``start`` and ``end`` days of a request (YYYY-MM-DD).

    ``start`` defaults to today, ``end`` to ``default_days`` after it.
    """
    today = now_utc().astimezone(site_timezone()).date()
    first = parse_day(form["start"], "start") if form.get("start") else today
    last = (
        parse_day(form["end"], "end")
        if form.get("end")
        else first + timedelta(days=default_days)
    )
    check_range(first, last)
    return first, last


def e164(number, country_code="31"):
    """A phone number in E.164 form (+31612345678), or None when it is not one.

    Checked with phonenumbers (a valid number of its country); numbers
    without a country code are taken as numbers of ``country_code``.
    """
    return validation.phone(number, country_code)


def _text(data, name, max_length, errors):
    """The text field ``name``: one line (notes: several), at most ``max_length``."""
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[name] = _("Must be text.")
        return ""
    if name == "notes":
        value = value.strip()
        # Line breaks and tabs are text in notes; other control
        # characters and lone surrogates are not.
        if not validation.is_clean_text(re.sub(r"[\r\n\t]", "", value)):
            errors[name] = _("The text holds characters that are not allowed.")
    else:
        value = " ".join(value.split())
    if len(value) > max_length:
        errors[name] = _("Use at most ${max} characters.", mapping={"max": max_length})
    return value


def _contact(data, errors, email_required=True):
    """Name, e-mail address and telephone number (E.164), checked.

    Without ``email_required`` an e-mail address or a mobile number will do
    (at least one); with the number alone, messages go by SMS.
    """
    clean = {}
    try:
        clean["fullname"] = validation.name(data.get("fullname"), 200)
    except validation.Refused as error:
        errors["fullname"] = error.message
        clean["fullname"] = ""
    if not clean["fullname"] and "fullname" not in errors:
        errors["fullname"] = _("Fill in your name.")
    clean["email"] = _text(data, "email", 254, errors)
    optional = not email_required and not clean["email"] and "email" not in errors
    if optional:
        pass  # the mobile number is checked below
    elif "email" not in errors:
        try:
            clean["email"] = validation.email(data.get("email"))
        except validation.Refused as error:
            errors["email"] = error.message
    clean["phone"] = _text(data, "phone", 40, errors)
    if clean["phone"] and "phone" not in errors:
        clean["phone"] = e164(clean["phone"])
        if clean["phone"] is None:
            errors["phone"] = _("Fill in a valid telephone number, like 06 12345678.")
    if optional and "phone" not in errors:
        if not clean["phone"]:
            both = _("Fill in an e-mail address or a mobile number.")
            errors["email"] = errors["phone"] = both
        elif not validation.is_mobile(clean["phone"]):
            errors["phone"] = _(
                "Fill in a mobile number, like 06 12345678: we send the link "
                "by text message. Or fill in an e-mail address."
            )
        elif not texts.sms_enabled():
            # No text messages are sent: the link would reach nobody.
            errors["email"] = _("Fill in your e-mail address.")
    return clean


def persons_of(data, product, errors):
    """How many people come (1 to the product's maximum; default 1)."""
    value = data.get("persons")
    if value in (None, ""):
        return 1
    highest = max_persons(product)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= highest
    ):
        errors["persons"] = (
            _("Choose a number from 1 to ${max}.", mapping={"max": highest})
            if highest > 1
            else _("This appointment is for one person.")
        )
        return 1
    return value


def clean_booking_data(data, product):
    """Validate what a citizen sent; return clean values or raise InvalidInput."""
    if not isinstance(data, dict):
        raise InvalidInput(_("Send a JSON object."))
    errors = {}
    clean = _contact(data, errors, email_required(product))
    clean["persons"] = persons_of(data, product, errors)
    clean["notes"] = _text(data, "notes", MAX_NOTES, errors)
    # A translated product's page books in its own language by default.
    language = data.get("language") or multilingual.content_language(product) or "nl"
    if language not in LANGUAGES:
        errors["language"] = _("Choose nl or en.")
    clean["language"] = language
    channels = list(product.channels or ["video"])
    channel = data.get("channel") or channels[0]
    if channel not in channels:
        errors["channel"] = _(
            "Choose one of: ${channels}.", mapping={"channels": ", ".join(channels)}
        )
    clean["channel"] = channel
    try:
        clean["start"] = parse_start(data.get("start"))
    except InvalidInput as error:
        errors.update(error.fields)
    if errors:
        raise InvalidInput(_("Some fields are not filled in correctly."), errors)
    return clean
