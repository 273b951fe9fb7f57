"""GET {product}/@slots?start=YYYY-MM-DD&end=YYYY-MM-DD[&persons=n]: what a citizen
can book now (for n people: the starts with room for the longer appointment).

The answer is public (free times, nothing about who booked them) and is kept
per process, keyed on the version of the free slots (``ProductRules.
versioned_slots``: the database serials of the product and of the days'
ledger records, today, and how many slots the clock has left): a booking,
cancellation, move or product edit in any instance changes the key at once.
The key is also the ETag, so a client that has the answer gets a 304.
"""

from AccessControl.SecurityManagement import getSecurityManager
from collective.digitalebalie import _
from collective.digitalebalie.booking.actions import ProductRules
from collective.digitalebalie.booking.input import parse_day
from collective.digitalebalie.booking.input import persons_of
from collective.digitalebalie.booking.rules import MAX_RANGE_DAYS
from collective.digitalebalie.errors import InvalidInput
from collective.digitalebalie.services.base import Service
from collective.digitalebalie.services.serialize import slot_json
from collective.digitalebalie.settings import now_utc
from datetime import timedelta
import hashlib
import json


# (URL, days, persons, slots version, anonymous?) -> (ETag, JSON body); per process, and
# right in every process: the version is what the database says.
_ANSWERS = {}
MAX_ANSWERS = 500  # about 45 KB each for 31 days


def anonymous():
    return getSecurityManager().getUser().getUserName() == "Anonymous User"


def matches(if_none_match, etag):
    """Whether ``If-None-Match`` names ``etag`` (weakly: gzip makes it W/)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(
        part.strip().removeprefix("W/") == bare for part in if_none_match.split(",")
    )


class SlotsGet(Service):
    def respond(self):
        self.check_permission()
        response = self.request.response
        rules, first, last, persons = self.asked()
        slots, version = rules.versioned_slots(first, last, persons=persons)
        url = f"{self.context.absolute_url()}/@slots"
        key = (url, first, last, persons, version, anonymous())
        cached = _ANSWERS.get(key) if version else None
        if cached is None:
            body = json.dumps(
                self.answer(url, rules, persons, slots),
                indent=2,
                sort_keys=True,
                separators=(", ", ": "),
            )
            digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
            cached = (f'"slots-{digest}"', body)
            if version:
                if len(_ANSWERS) >= MAX_ANSWERS:
                    _ANSWERS.clear()
                _ANSWERS[key] = cached
        etag, body = cached
        response.setHeader("Content-Type", self.content_type)
        # Anyone may keep it, but asks again each time (a 304 when unchanged).
        response.setHeader("Cache-Control", "no-cache")
        # The same address without "Accept: application/json" is no answer.
        response.setHeader("Vary", "Accept")
        if version:
            response.setHeader("ETag", etag)
            if matches(self.request.getHeader("If-None-Match"), etag):
                response.setStatus(304)
                return ""
        return body

    def reply(self):
        """The answer as data, not from the cache (for callers in Python)."""
        rules, first, last, persons = self.asked()
        slots = rules.free_slots(first, last, persons=persons)
        return self.answer(
            f"{self.context.absolute_url()}/@slots", rules, persons, slots
        )

    def asked(self):
        """(rules, first day, last day, persons) from the query; else InvalidInput."""
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
                {"end": _("The range is too long.")},
            )
        window_end = today + timedelta(days=product_rules.max_days_ahead)
        if last < today or first > window_end:
            # Nothing can be booked there; far-off years would not even
            # convert between time zones.
            raise InvalidInput(
                _(
                    "Choose dates from today up to ${days} days ahead.",
                    mapping={"days": product_rules.max_days_ahead},
                ),
                {"start": _("Choose a date from today on.")},
            )
        errors = {}
        persons = persons_of(form, self.context, errors)
        if errors:
            raise InvalidInput(_("Some fields are not filled in correctly."), errors)
        return product_rules, first, last, persons

    def answer(self, url, product_rules, persons, slots):
        return {
            "@id": url,
            "timezone": product_rules.tz.key,
            "duration": product_rules.duration,
            # How long an appointment for this many people lasts.
            "persons": persons,
            "minutes": product_rules.minutes(persons),
            "items": [slot_json(slot) for slot in slots],
        }
