"""The live desk: an appointment page as one workspace around the call.

Both appointment pages (the citizen's and the employee's) are made of parts,
each an element with ``data-desk-part="NAME"`` and an ``id``, defined as a macro
of the page's template. With JavaScript (``desk.js``) the page does every action
with a fetch and then asks the page for the changed parts only:
``GET {page}?desk-part=payments&desk-part=documents`` answers the HTML of
those parts (nothing else), which the script puts in place. The other side
learns about a change from the room server's ``update`` event (see
video/notices.py) or, when the room server cannot be reached, by polling.
"""

from collective.digitalebalie import _
from collective.digitalebalie import settings
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.video import rooms
from plone import api
from plone.transformchain.interfaces import DISABLE_TRANSFORM_REQUEST_KEY
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zope.i18n import translate


HOW = {
    "video": _("${date} at ${time}, by video"),
    "phone": _("${date} at ${time}, by phone"),
    "counter": _("${date} at ${time}, at the counter"),
}

# What desk.js says and shows, in the page's language.
MESSAGES = {
    "working": _("One moment…"),
    "failed": _("That did not work. Please try again."),
    "changed": _("This page was updated:"),
    "waiting": _("${name} is waiting to be let in."),
    "waiting_title": _("Waiting: ${name}"),
    "admit": _("Let ${name} in"),
    "admit_joins": _("(you join the call too)"),
}


# What the upload script (digitalebalie.js) says, on both pages.
UPLOAD_MESSAGES = {
    "sending": _("Sending…"),
    "saved": _("Saved:"),
    "failed": _("Sending the document did not work. Please try again."),
}


def desk_messages(request):
    return formatting.messages_json(MESSAGES, request)


class DeskMixin:
    """Parts and live facts shared by the two appointment pages."""

    parts_template = ViewPageTemplateFile("templates/desk_parts.pt")
    # part name -> the macros of the page's template that show it
    PARTS: dict = {}  # noqa: RUF012 - set by each page

    @property
    def desk_appointment(self):
        raise NotImplementedError

    def desk_requested(self):
        """The parts a desk-part request asks for, or None for the whole page."""
        asked = self.request.form.get("desk-part")
        if asked is None:
            return None
        if isinstance(asked, str):
            asked = [asked]
        return [name for name in asked if name in self.PARTS]

    def render_parts(self, names):
        """The HTML of the named parts, for desk.js (404 when none is known)."""
        response = self.request.response
        response.setHeader("Cache-Control", "no-store")
        if not names:
            response.setStatus(404)
            return ""
        # A fragment, not a page: no theme, no transform that would wrap it in one
        # (the parts' forms carry their own _authenticator).
        self.request.environ[DISABLE_TRANSFORM_REQUEST_KEY] = True
        macros = self.index.macros
        self.part_macros = [macros[m] for name in names for m in self.PARTS[name]]
        return self.parts_template()

    def desk_messages(self):
        return desk_messages(self.request)

    def upload_messages(self):
        return formatting.messages_json(UPLOAD_MESSAGES, self.request)

    def how_sentence(self):
        """'Thursday 3 December at 10:20, by video': when and how, in words."""
        appointment = self.desk_appointment
        start = appointment.start.astimezone(settings.site_timezone())
        message = HOW.get(appointment.channel, HOW["counter"])
        text = translate(
            _(
                message,
                mapping={
                    "date": settings.date_in_words(start.date()),
                    "time": formatting.clock(start),
                },
            ),
            context=self.request,
        )
        return text[:1].upper() + text[1:]

    def room_opens_text(self):
        """Before the video room opens: when it does (a fact, not an error)."""
        appointment = self.desk_appointment
        if appointment.channel != "video" or api.content.get_state(appointment) not in (
            "booked",
            "in_progress",
        ):
            return None
        opens, closes = rooms.window(appointment)
        now = settings.now_utc()
        tz = settings.site_timezone()
        if now > closes:
            return translate(
                _("The video room of this appointment is closed."),
                context=self.request,
            )
        if now >= opens:
            return None
        local = opens.astimezone(tz)
        today = now.astimezone(tz).date()
        if local.date() == today:
            message = _(
                "From ${time} you can go in to the video call.",
                mapping={"time": formatting.clock(local)},
            )
        else:
            message = _(
                "From ${time} on ${date} you can go in to the video call.",
                mapping={
                    "time": formatting.clock(local),
                    "date": settings.date_in_words(local.date()),
                },
            )
        return translate(message, context=self.request)

    def payments_summary(self):
        """What changed in the payments, in words, for a screen reader (desk.js)."""
        return "; ".join(
            f"{p['description']}: {p['amount_text']}, {translate(p['state_title'], context=self.request)}"
            for p in self.payments()
        )
