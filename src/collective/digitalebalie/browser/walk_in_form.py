"""The product page's part of the walk-in queue (issue 19): "Talk to us now
(video)" with the expected wait and the join form, or when walking in is
possible. The join form works without JavaScript (a post and a redirect)."""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import limits
from collective.digitalebalie import settings
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.walkin import queue
from zope.i18n import translate
import transaction


FIELDS = ("fullname", "language", "phone", "email")


class WalkInSection:
    """The product page's part: talk to us now, or when that is possible."""

    def __init__(self, product, request):
        self.product = product
        self.request = request
        self.offered = queue.offers_walk_in(product)
        self.status = queue.status(product) if self.offered else None

    @property
    def open(self):
        return bool(self.status and self.status["open"])

    def wait_text(self):
        return translate(
            _(
                "Expected wait: about ${minutes} minutes.",
                mapping={"minutes": self.status["wait"]},
            ),
            context=self.request,
        )

    def closed_text(self):
        """Why one cannot walk in now, and when one can."""
        status = self.status
        if status["full"] and status["hours_open"]:
            message = _(
                "The queue is full at the moment. Please try again later, or book an appointment."
            )
        elif status["hours_open"]:
            message = _(
                "Nobody is available for walk-ins at the moment. Please try again later, or book an appointment."
            )
        elif status["opens"] is not None:
            message = _(
                "Walking in is possible again on ${date} at ${time}. You can also book an appointment.",
                mapping={
                    "date": settings.date_in_words(status["opens"].date()),
                    "time": status["opens"].strftime("%H:%M"),
                },
            )
        else:
            message = _(
                "You cannot walk in for this service at the moment. Please book an appointment."
            )
        return translate(message, context=self.request)

    def hours(self):
        rows = sorted(
            getattr(self.product, "walk_in_hours", None) or [],
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


class WalkInFormMixin:
    """The product page's join form (the view also books; its own fields)."""

    walk_in_errors = None
    walk_in_message = None

    @property
    def walk_in(self):
        if not hasattr(self, "_walk_in"):
            self._walk_in = WalkInSection(self.context, self.request)
        return self._walk_in

    def walk_in_error(self, name):
        return (self.walk_in_errors or {}).get(name)

    def walk_in_value(self, name, default=""):
        return self.request.form.get(f"walkin_{name}", default)

    def handle_walk_in(self):
        """Join the queue from the form; True when redirected to the ticket."""
        if not self.check_csrf():
            self.walk_in_message = self.message
            self.request.response.setStatus(400)
            return False
        data = {name: self.walk_in_value(name) or None for name in FIELDS}
        gate = limits.ClientGate(self.request)
        try:
            if gate.check(self.value("altcha") or None) is not None:
                raise errors.TooManyBookings(
                    _("Too many requests from your address. Please try again later.")
                )
            _ticket, token, _position = queue.join(self.context, data)
        except errors.UserError as error:
            transaction.doom()
            self.request.response.setStatus(error.status)
            self.walk_in_message = error.message
            self.walk_in_errors = {
                name: translate(text, context=self.request)
                for name, text in error.fields.items()
            }
            return False
        gate.booked()
        self.request.response.redirect(queue.ticket_url(token), status=303)
        return True
