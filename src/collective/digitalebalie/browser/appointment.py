"""The counter employee's view of an appointment: the citizen, the product, the room."""

from collective.digitalebalie import _
from collective.digitalebalie import agenda
from collective.digitalebalie import errors
from collective.digitalebalie import settings
from collective.digitalebalie import teams
from collective.digitalebalie.booking import store
from collective.digitalebalie.browser import after_call
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.browser.agenda import DONE
from collective.digitalebalie.browser.desk import DeskMixin
from collective.digitalebalie.browser.identity import REVEALED
from collective.digitalebalie.browser.my_appointment import STATES
from collective.digitalebalie.browser.payments import payments_for
from collective.digitalebalie.browser.room import room_messages
from collective.digitalebalie.content.counter_product import CHANNELS
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.dossiers.documents import VIEWABLE
from collective.digitalebalie.integrations import digid
from collective.digitalebalie.integrations import identification
from collective.digitalebalie.integrations import payments
from plone import api
from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate
import json
import transaction


# The appointment's own steps on its page; "cancel" has a form of its own.
DESK_ACTIONS = {
    "start": _("Start the conversation"),
    "no_show": _("Did not come"),
}


# Each language by its own name (as a language menu shows them).
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


class AppointmentView(DeskMixin, BrowserView):
    index = ViewPageTemplateFile("templates/appointment.pt")
    after_call_macros = after_call.MACROS
    macros_template = ViewPageTemplateFile("templates/macros.pt")

    PARTS = {  # noqa: RUF012 - a fixed table, not state
        "state": ("part-actions", "part-after-call", "part-citizen"),
        "identification": ("part-identification",),
        "payments": ("part-payments",),
        "documents": ("part-documents",),
    }

    def __call__(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        self.product = store.product_of(self.context)
        if self.request.method == "POST" and "action" in self.request.form:
            return self.act()
        parts = self.desk_requested()
        if parts is not None:
            return self.render_parts(parts)
        return self.index()

    def act(self):
        """A workflow action without JavaScript (with it: POST @act)."""
        CheckAuthenticator(self.request)
        form = self.request.form
        try:
            agenda.act(self.context, form.get("action"), form.get("message", ""))
        except errors.UserError as error:
            transaction.doom()
            api.portal.show_message(error.message, request=self.request, type="error")
        else:
            api.portal.show_message(
                DONE[form.get("action")], request=self.request, type="info"
            )
        self.request.response.redirect(self.context.absolute_url(), status=303)
        return ""

    @property
    def desk_appointment(self):
        return self.context

    @property
    def after_call(self):
        return after_call.AfterCall(self.context, self.request)

    def actions(self):
        """The workflow actions the employee can take now, in words."""
        workflow = api.portal.get_tool("portal_workflow")
        available = {t["id"] for t in workflow.getTransitionsFor(self.context)}
        started = self.context.start <= settings.now_utc()
        return {
            "buttons": [
                {"id": key, "title": translate(title, context=self.request)}
                for key, title in DESK_ACTIONS.items()
                if key in available and (key != "no_show" or started)
            ],
            "can_cancel": "cancel" in available,
        }

    def documents(self):
        """Every document of the dossier, for the employee's list."""
        dossier = dossiers.of(self.context)
        if dossier is None:
            return []
        items = []
        for doc in sorted(dossier.objectValues(), key=lambda d: d.created()):
            kind = VIEWABLE.get(doc.kind)
            items.append(
                {
                    "title": doc.Title(),
                    "url": doc.absolute_url(),
                    "from": translate(
                        _("from the citizen")
                        if doc.uploaded_by == "citizen"
                        else _("from the municipality"),
                        context=self.request,
                    ),
                    "json": json.dumps(
                        {"id": doc.getId(), "title": doc.Title(), "kind": kind}
                    )
                    if kind
                    else "",
                }
            )
        return items

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

    def payments(self):
        return payments_for(self.context)

    def may_ask_payment(self):
        return api.user.has_permission(
            "collective.digitalebalie: Manage appointments", obj=self.context
        )

    def default_amount(self):
        amount = payments.cents(getattr(self.product, "price", None))
        return f"{amount // 100},{amount % 100:02d}" if amount else ""

    def default_description(self):
        return self.product.Title() if self.product is not None else ""

    def identity(self):
        """What the employee sees of the citizen's DigiD or eHerkenning identity."""
        identity = identification.identity_of(self.context)
        schemes = identification.schemes(self.context, self.product)
        if identity is None:
            return (
                {
                    "done": False,
                    "needed": bool(schemes),
                    "digid": "digid" in schemes or not schemes,
                    "eherkenning": "eherkenning" in schemes,
                    "requested": bool(
                        getattr(self.context, "identification_requested", False)
                    ),
                }
                if schemes or self.context.channel == "video"
                else None
            )
        revealed = IAnnotations(self.request).get(REVEALED)
        if identity["scheme"] == "eherkenning":
            company = identification.company(identity, hide=not revealed)
            return {
                "done": True,
                "scheme": "eherkenning",
                "name": identity.get("name", ""),
                "company": translate(company, context=self.request),
                "revealed": bool(revealed),
                "loa": identity.get("loa", ""),
            }
        return {
            "done": True,
            "scheme": "digid",
            "name": identity["name"],
            "bsn": revealed["bsn"] if revealed else digid.masked(identity["bsn"]),
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

    def language_title(self):
        """The language by its own name, as the citizen chose it."""
        return LANGUAGE_NAMES.get(self.context.language, self.context.language)

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
