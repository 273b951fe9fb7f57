"""GET {product}/@slots?start=YYYY-MM-DD&end=YYYY-MM-DD[&persons=n]: what a citizen
can book now (for n people: the starts with room for the longer appointment)."""

from collective.digitalebalie import _
from collective.digitalebalie.booking.actions import ProductRules
from collective.digitalebalie.booking.input import parse_day
from collective.digitalebalie.booking.input import persons_of
from collective.digitalebalie.booking.rules import MAX_RANGE_DAYS
from collective.digitalebalie.services.base import Service
from collective.digitalebalie.services.errors import error_body
from collective.digitalebalie.services.serialize import slot_json
from collective.digitalebalie.settings import now_utc
from datetime import timedelta


class SlotsGet(Service):
    def reply(self):
        product_rules = ProductRules(self.context)
        today = now_utc().astimezone(product_rules.tz).date()
        form = self.request.form
        first = parse_day(form["start"], "start") if form.get("start") else today
        last = (
            parse_day(form["end"], "end")
            if form.get("end")
            else first + timedelta(days=30)
        )
        if last < first:
            return error_body(
                self.request,
                400,
                "ValidationError",
                _("The end date is before the start date."),
                {"end": _("Use a date on or after the start date.")},
            )
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            return error_body(
                self.request,
                400,
                "ValidationError",
                _(
                    "Ask for at most ${days} days at once.",
                    mapping={"days": MAX_RANGE_DAYS},
                ),
                {"end": _("The range is too long.")},
            )
        window_end = today + timedelta(days=product_rules.max_days_ahead)
        if last < today or first > window_end:
            # Nothing can be booked there; far-off years would not even
            # convert between time zones.
            return error_body(
                self.request,
                400,
                "ValidationError",
                _(
                    "Choose dates from today up to ${days} days ahead.",
                    mapping={"days": product_rules.max_days_ahead},
                ),
                {"start": _("Choose a date from today on.")},
            )
        errors = {}
        persons = persons_of(form, self.context, errors)
        if errors:
            return error_body(
                self.request,
                400,
                "ValidationError",
                _("Some fields are not filled in correctly."),
                errors,
            )
        slots = product_rules.free_slots(first, last, persons=persons)
        return {
            "@id": f"{self.context.absolute_url()}/@slots",
            "timezone": product_rules.tz.key,
            "duration": product_rules.duration,
            # How long an appointment for this many people lasts.
            "persons": persons,
            "minutes": product_rules.minutes(persons),
            "items": [slot_json(slot) for slot in slots],
        }
