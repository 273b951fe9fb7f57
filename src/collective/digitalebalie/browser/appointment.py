"""The counter employee's view of an appointment: the citizen, the product, the room."""

from collective.digitalebalie import _
from collective.digitalebalie import agenda
from collective.digitalebalie import settings
from collective.digitalebalie import teams
from collective.digitalebalie.booking import store
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.browser.identity import REVEALED
from collective.digitalebalie.browser.my_appointment import STATES
from collective.digitalebalie.browser.payments import payments_for
from collective.digitalebalie.browser.payments import state_titles
from collective.digitalebalie.browser.room import room_messages
from collective.digitalebalie.content.counter_product import CHANNELS
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.dossiers.documents import VIEWABLE
from collective.digitalebalie.integrations import digid
from collective.digitalebalie.integrations import payments
from plone import api
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate
import json


class AppointmentView(BrowserView):
    index = ViewPageTemplateFile("templates/appointment.pt")
    macros_template = ViewPageTemplateFile("templates/macros.pt")

    def __call__(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        self.product = store.product_of(self.context)
        return self.index()

    @property
    def picker_macros(self):
        return self.macros_template.macros

    @property
    def state(self):
        return api.content.get_state(self.context)

    def state_title(self):
        return translate(STATES.get(self.state, self.state), context=self.request)

    def when(self):
        tz = settings.site_timezone()
        start = self.context.start.astimezone(tz)
        end = self.context.end.astimezone(tz)
        return (
            f"{formatting.long_date(start.date())}, "
            f"{formatting.clock(start)} – {formatting.clock(end)}"
        )

    def assignee(self):
        user_id = getattr(self.context, "assignee", None)
        if not user_id:
            return translate(_("Nobody yet"), context=self.request)
        return teams.fullname(user_id)

    def document_url(self):
        """Where the employee's viewer finds a document of the dossier."""
        url = self.dossier_url()
        return f"{url}/{{id}}/@@display-file/file" if url else None

    def showable_documents(self):
        dossier = dossiers.of(self.context)
        if dossier is None:
            return []
        return [
            {
                "title": doc.Title(),
                "json": json.dumps(
                    {
                        "id": doc.getId(),
                        "title": doc.Title(),
                        "kind": VIEWABLE[doc.kind],
                    }
                ),
            }
            for doc in sorted(dossier.objectValues(), key=lambda d: d.created())
            if doc.kind in VIEWABLE
        ]

    def payments(self):
        return payments_for(self.context)

    def payment_states(self):
        return state_titles(self.request)

    def default_amount(self):
        amount = payments.cents(getattr(self.product, "price", None))
        return f"{amount // 100},{amount % 100:02d}" if amount else ""

    def default_description(self):
        return self.product.Title() if self.product is not None else ""

    def identity(self):
        """What the employee sees of the citizen's DigiD identity."""
        identity = digid.identity_of(self.context)
        needed = digid.required(self.context, self.product)
        if identity is None:
            return (
                {
                    "done": False,
                    "needed": needed,
                    "requested": bool(
                        getattr(self.context, "identification_requested", False)
                    ),
                }
                if needed or self.context.channel == "video"
                else None
            )
        revealed = IAnnotations(self.request).get(REVEALED)
        return {
            "done": True,
            "name": identity["name"],
            "bsn": revealed or digid.masked(identity["bsn"]),
            "revealed": bool(revealed),
            "loa": identity["loa"],
        }

    def may_upload(self):
        dossier = dossiers.of(self.context)
        return dossier is not None and api.user.has_permission(
            "collective.digitalebalie: Add Dossier", obj=dossier
        )

    def dossier_url(self):
        return agenda.dossier_url(self.context)

    def agenda_url(self):
        tz = settings.site_timezone()
        day = self.context.start.astimezone(tz).date().isoformat()
        return f"{api.portal.get().absolute_url()}/@@agenda?day={day}&scope=team"

    def channel_title(self):
        for term in CHANNELS:
            if term.value == self.context.channel:
                return translate(term.title, context=self.request)
        return self.context.channel

    @property
    def show_room(self):
        return self.context.channel == "video" and self.state in (
            "booked",
            "in_progress",
        )

    @property
    def room_info_url(self):
        return f"{self.context.absolute_url()}/@video"

    def guest_link_label(self):
        return translate(_("Guest link for ${name}"), context=self.request)

    def room_messages(self):
        return room_messages(self.request)
