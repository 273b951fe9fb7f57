"""Counter staff make an appointment for a citizen who phoned or wrote in."""

from collective.digitalebalie import _
from collective.digitalebalie import agenda
from collective.digitalebalie import errors
from collective.digitalebalie import settings
from collective.digitalebalie.booking import actions
from collective.digitalebalie.booking.input import parse_day
from collective.digitalebalie.booking.input import persons_of
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.browser.counter_product import BookingFormMixin
from collective.digitalebalie.content.counter_product import CHANNELS
from collective.digitalebalie.dossiers import dossiers
from datetime import datetime
from datetime import time
from plone import api
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile


MAKE_APPOINTMENTS = "collective.digitalebalie: Make appointments for citizens"


LABELS = {
    "fullname": _("Name of the citizen"),
    "email": _("E-mail address"),
    "phone": _("Telephone number (not required)"),
}


class NewAppointmentView(BookingFormMixin, BrowserView):
    index = ViewPageTemplateFile("templates/new_appointment.pt")
    macros_template = ViewPageTemplateFile("templates/macros.pt")
    free_times = ()
    open_dossier = None

    def __call__(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        if self.request.method == "POST" and self.check_csrf():
            made = self.make()
            if made is not None:
                return made
        return self.index()

    @property
    def picker_macros(self):
        return self.macros_template.macros

    def label(self, name):
        return self.translate(LABELS[name])

    def products(self):
        return [
            product
            for product in agenda.all_products()
            if api.user.has_permission(MAKE_APPOINTMENTS, obj=product)
        ]

    def channels(self):
        return [
            {"value": term.value, "title": self.translate(term.title)}
            for term in CHANNELS
        ]

    def _start(self, tz):
        """The chosen date and time as ISO 8601 in the site's time zone."""
        try:
            day = parse_day(self.value("date"), "date")
            clock = time.fromisoformat(self.value("time"))
        except (errors.UserError, ValueError):
            raise errors.InvalidInput(
                _("Some fields are not filled in correctly."),
                {"start": _("Choose a date and a time, for example 14:30.")},
            ) from None
        return datetime.combine(day, clock, tzinfo=tz).isoformat()

    def make(self):
        form = self.request.form
        products = {api.content.get_uuid(p): p for p in self.products()}
        product = products.get(form.get("product"))
        try:
            if product is None:
                raise errors.InvalidInput(
                    _("Some fields are not filled in correctly."),
                    {"product": _("Choose a product.")},
                )
            tz = settings.site_timezone()
            data = {
                name: form.get(name, "")
                for name in (
                    "fullname",
                    "email",
                    "phone",
                    "notes",
                    "channel",
                    "persons",
                )
            }
            data["language"] = form.get("language") or "nl"
            data["start"] = self._start(tz)
            data["any_time"] = form.get("any_time") == "1"
            appointment, _token = actions.book(
                product, data, staff=True, join_dossier=self._join(product, data)
            )
        except errors.UserError as error:
            self.fail(error)
            about_time = isinstance(error, errors.SlotUnavailable) or (
                "start" in error.fields
            )
            if product is not None and about_time:
                self.free_times = self._free_times(product)
            return None
        start = appointment.start.astimezone(tz)
        mapping = {
            "name": appointment.fullname,
            "when": f"{formatting.long_date(start.date())} {formatting.clock(start)}",
        }
        if appointment.email:
            message = _(
                "Appointment made for ${name} on ${when}. The citizen gets an "
                "e-mail with the invitation and the link.",
                mapping=mapping,
            )
        else:
            message = _(
                "Appointment made for ${name} on ${when}. The citizen gets a "
                "text message with the link.",
                mapping=mapping,
            )
        api.portal.show_message(message, request=self.request)
        self.request.response.redirect(appointment.absolute_url())
        return ""

    def _join(self, product, data):
        """Whether the appointment joins the citizen's open dossier for this
        product: the employee chooses when there is one (None: there is none)."""
        email = (data.get("email") or "").strip()
        found = dossiers.open_dossier(product, email) if email else None
        if found is None:
            return None
        tz = settings.site_timezone()
        opened = found.opened.astimezone(tz) if found.opened else None
        self.open_dossier = {
            "url": found.absolute_url(),
            "subject": found.subject,
            "opened": formatting.long_date(opened.date()) if opened else "",
            "appointments": len(found.appointment_ids or ()),
        }
        choice = self.request.form.get("dossier")
        if choice not in ("join", "new"):
            raise errors.InvalidInput(
                _("This citizen already has an open dossier for this product."),
                {"dossier": _("Choose: add to the open dossier, or start a new one.")},
            )
        return choice == "join"

    def _free_times(self, product):
        """The published free times of the chosen day, to choose from instead."""
        try:
            day = parse_day(self.value("date"), "date")
            refused = {}
            persons = persons_of(self.request.form, product, refused)
            slots = actions.ProductRules(product).free_slots(day, day, persons=persons)
        except errors.UserError:
            return ()
        return [formatting.clock(slot.start) for slot in slots if slot.available]
