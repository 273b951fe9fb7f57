"""The counter product page: what it is, what it costs, and booking it."""

from AccessControl import Unauthorized
from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import limits
from collective.digitalebalie import multilingual
from collective.digitalebalie import settings
from collective.digitalebalie.booking import actions
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.browser import headers
from collective.digitalebalie.browser import page_cache
from collective.digitalebalie.browser.picker import SlotPicker
from collective.digitalebalie.browser.walk_in_form import WalkInFormMixin
from collective.digitalebalie.content.counter_product import CHANNELS
from collective.digitalebalie.content.counter_product import identification_method
from collective.digitalebalie.content.households import email_required
from collective.digitalebalie.services.serialize import citizen_url
from plone import api
from plone.protect import CheckAuthenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zExceptions import Forbidden
from zope.i18n import translate
from zope.interface import alsoProvides
import json
import transaction


BOOK_PERMISSION = "collective.digitalebalie: Book appointment"
MAKE_APPOINTMENTS = "collective.digitalebalie: Make appointments for citizens"
FIELDS = (
    "start",
    "persons",
    "fullname",
    "email",
    "phone",
    "language",
    "channel",
    "notes",
)


class BookingFormMixin:
    """Errors next to fields and a summary on top, values kept on errors."""

    errors = None
    message = None
    message_type = None

    def error(self, name):
        return (self.errors or {}).get(name)

    def summary_at(self, place):
        """Is the error summary shown at ``place``? It stands just before the step
        with the first wrong field ("times" or "person"), so that on a phone the
        summary and that field are in one screen; other errors go to "top"."""
        if not self.message:
            return False
        names = set(self.errors or ())
        # The number of people stands just above the days: its errors go with the times.
        if names & {"start", "persons"} or self.message_type == "SlotUnavailable":
            where = "times"
        elif names & set(FIELDS):
            where = "person"
        else:
            where = "top"
        return where == place

    def value(self, name, default=""):
        return self.request.form.get(name, default)

    def translate(self, msgid):
        return translate(msgid, context=self.request)

    def check_csrf(self):
        if not api.user.has_permission(BOOK_PERMISSION, obj=self.context):
            raise Unauthorized(BOOK_PERMISSION)
        try:
            CheckAuthenticator(self.request)
        except Forbidden:
            self.message = _(
                "The page was open too long. Please check your choice and send it again."
            )
            return False
        # Our own token is checked; the writes that follow are intended.
        alsoProvides(self.request, IDisableCSRFProtection)
        return True

    def fail(self, error):
        transaction.doom()  # nothing a failed attempt touched is kept
        self.request.response.setStatus(error.status)
        self.message = error.message
        self.message_type = error.type
        self.errors = {
            name: self.translate(text) for name, text in error.fields.items()
        }


class CounterProductView(WalkInFormMixin, BookingFormMixin, BrowserView):
    index = ViewPageTemplateFile("templates/counter_product.pt")
    picker_template = ViewPageTemplateFile("templates/picker.pt")
    macros_template = ViewPageTemplateFile("templates/macros.pt")

    challenge = None

    def identification_method(self):
        """none, digid, eherkenning or either."""
        return identification_method(self.context)

    def __call__(self):
        headers.citizen_page(self.request.response)
        self.bookable = True
        # Counter staff share the town hall's address: they are not counted.
        self.gate = limits.ClientGate(
            self.request,
            exempt=api.user.has_permission(MAKE_APPOINTMENTS, obj=self.context),
        )
        try:
            self.picker = SlotPicker(
                self.context, self.request, selected_start=self.value("start")
            )
        except errors.NotBookable:
            self.bookable = False
            self.picker = None
        if (
            self.request.method == "POST"
            and self.bookable
            and "book" in self.request.form
        ) and self.handle_book():
            return ""
        if (
            self.request.method == "POST" and "walk_in" in self.request.form
        ) and self.handle_walk_in():
            return ""
        if self.bookable and self.challenge is None and self.gate.needed():
            # The browser solves it while the citizen fills in the form.
            self.challenge = limits.new_challenge()
        if self.challenge is not None:
            page_cache.keep_from_others(self.request)  # a challenge of its own
        return self.index()

    def email_required(self):
        return email_required(self.context)

    def page_language(self):
        """The language a booking made here has unless the citizen changes it:
        a translated product page's own, else the language of the site's pages."""
        return multilingual.page_language(self.context, self.request)

    def challenge_json(self):
        return json.dumps(self.challenge) if self.challenge else None

    @property
    def picker_macros(self):
        return self.macros_template.macros

    def picker_html(self):
        """The slot picker's markup: from the cache for an anonymous visitor's
        page that shows no typed input and no errors (the same for everyone)."""
        plain = (
            self.request.method == "GET"
            and not self.message
            and not self.errors
            and api.user.is_anonymous()
        )
        if not plain:
            return self.picker_template()
        return self.picker.markup(self.base_url, self.picker_template)

    def handle_book(self):
        if not self.check_csrf():
            self.request.response.setStatus(400)
            return False
        data = {name: self.value(name) or None for name in FIELDS}
        solution = self.value("altcha")
        challenge = self.gate.check(solution if isinstance(solution, str) else None)
        if challenge is not None:
            self.fail(limits.ChallengeRequired(challenge, self.gate.refused_solution))
            self.challenge = challenge
            return False
        try:
            _appointment, token = actions.book(self.context, data)
        except errors.UserError as error:
            self.fail(error)
            # The slot list may have changed (someone else was quicker).
            self.picker = SlotPicker(self.context, self.request, self.value("start"))
            return False
        self.gate.booked()
        self.request.response.redirect(f"{citizen_url(token)}?booked=1", status=303)
        return True

    # --- facts for the page -------------------------------------------------

    @property
    def base_url(self):
        return self.context.absolute_url()

    def price(self):
        return formatting.price(self.context.price)

    def channels(self):
        return [
            {"value": term.value, "title": self.translate(term.title)}
            for term in CHANNELS
            if term.value in (self.context.channels or ["video"])
        ]

    def opening_hours(self):
        """[{"day": "maandag", "periods": "09:00 – 12:00, 13:00 – 17:00"}]."""
        rows = sorted(
            self.context.opening_hours or [],
            key=lambda row: (int(row["weekday"]), row["start"]),
        )
        days = {}
        for row in rows:
            days.setdefault(int(row["weekday"]), []).append(
                f"{row['start']} – {row['end']}"
            )
        return [
            {"day": formatting.weekday_name(day), "periods": ", ".join(periods)}
            for day, periods in days.items()
        ]

    def closures(self):
        tz = settings.site_timezone()
        today = settings.now_utc().astimezone(tz).date()
        result = []
        for row in self.context.closures or []:
            if row["end"] < today:
                continue
            first = formatting.long_date(row["start"])
            last = formatting.long_date(row["end"])
            result.append(
                {
                    "dates": first
                    if row["start"] == row["end"]
                    else f"{first} – {last}",
                    "reason": row.get("reason") or "",
                }
            )
        return result
