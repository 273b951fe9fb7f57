"""The citizen's appointment page, reached with the secret link: view, move, cancel."""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import settings
from collective.digitalebalie.aftercall import satisfaction
from collective.digitalebalie.booking import actions
from collective.digitalebalie.booking import earlier
from collective.digitalebalie.booking import links
from collective.digitalebalie.booking import store
from collective.digitalebalie.booking.links import citizen_url
from collective.digitalebalie.booking.links import device_test_url
from collective.digitalebalie.browser import after_call
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.browser import headers
from collective.digitalebalie.browser.counter_product import BookingFormMixin
from collective.digitalebalie.browser.desk import DeskMixin
from collective.digitalebalie.browser.device_test import DeviceTestPage
from collective.digitalebalie.browser.payments import payments_for
from collective.digitalebalie.browser.picker import SlotPicker
from collective.digitalebalie.browser.room import room_messages
from collective.digitalebalie.content.counter_product import CHANNELS
from collective.digitalebalie.content.dossier import IDossierDocument
from collective.digitalebalie.dossiers import audit
from collective.digitalebalie.dossiers import documents as documents_module
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.dossiers import filetypes
from collective.digitalebalie.dossiers.citizen import citizen_documents
from collective.digitalebalie.dossiers.citizen import may_open
from collective.digitalebalie.dossiers.citizen import upload_for_citizen
from collective.digitalebalie.integrations import digid
from collective.digitalebalie.integrations import eherkenning
from collective.digitalebalie.integrations import identification
from collective.digitalebalie.integrations import texts
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import quote
from zope.i18n import translate
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse


STATES = {
    "booked": _("Booked"),
    "in_progress": _("In progress"),
    "completed": _("Completed"),
    "cancelled": _("Cancelled"),
    "no_show": _("Did not take place"),
}


@implementer(IPublishTraverse)
class MyAppointmentView(DeskMixin, BookingFormMixin, BrowserView):
    index = ViewPageTemplateFile("templates/my_appointment.pt")
    after_call_macros = after_call.MACROS
    not_found = ViewPageTemplateFile("templates/appointment_not_found.pt")
    cancelled = ViewPageTemplateFile("templates/appointment_cancelled.pt")
    macros_template = ViewPageTemplateFile("templates/macros.pt")

    PARTS = {  # noqa: RUF012 - a fixed table, not state
        "state": ("part-state", "part-after-call", "part-change"),
        "identification": ("part-identification",),
        "payments": ("part-payments",),
        "documents": ("part-documents",),
    }

    token = ""
    mode = "view"  # or "move", "cancel", "document", "identify", "device-test"
    document_id = ""  # or the device test's part ("token")
    scheme = ""  # identify/digid, identify/eherkenning

    def publishTraverse(self, request, name):
        if not self.token:
            self.token = name
        elif self.mode in ("document", "device-test") and not self.document_id:
            self.document_id = name
        elif self.mode == "identify" and not self.scheme:
            self.scheme = name  # digid or eherkenning
        elif name in ("move", "cancel", "document", "identify", "device-test"):
            self.mode = name
        return self

    def __call__(self):
        response = self.request.response
        headers.secret_link_page(response)
        try:
            self.appointment = links.find_by_token(self.token)
        except errors.NotFound:
            response.setStatus(404)
            return self.not_found()
        if self.mode == "device-test":
            return DeviceTestPage(
                self.context, self.request, self.appointment, self.url, self.document_id
            )()
        if api.content.get_state(self.appointment) == "cancelled":
            # Only that it is cancelled, and what for: the link may be old or
            # forwarded, the person's details and documents are not for it.
            if self.mode == "document":
                response.setStatus(404)
                return self.not_found()
            if "desk-part" in self.request.form:
                # The live desk reloads: the page is now the cancelled one.
                response.setStatus(410)
                return ""
            self.product = store.product_of(self.appointment)
            return self.cancelled()
        if self.mode == "document":
            return self.serve_document()
        if self.mode == "identify":
            return self.start_identification()
        self.product = store.product_of(self.appointment)
        self.picker = None
        parts = self.desk_requested() if self.request.method == "GET" else None
        if parts is not None:
            return self.render_parts(parts)
        if self.request.method == "POST" and self.handle_post():
            return ""
        if self.mode == "move" and self.changeable and self.product is not None:
            try:
                self.picker = SlotPicker(
                    self.product,
                    self.request,
                    self.value("start"),
                    persons=getattr(self.appointment, "persons", 1) or 1,
                )
            except errors.NotBookable:
                self.picker = None
        return self.index()

    @property
    def picker_macros(self):
        return self.macros_template.macros

    def handle_post(self):
        if not self.check_csrf():
            self.request.response.setStatus(400)
            return False
        try:
            if "cancel" in self.request.form:
                actions.cancel(self.appointment)
                done = "cancelled=1"
            elif "move" in self.request.form:
                actions.reschedule(self.appointment, self.value("start") or None)
                done = "moved=1"
            elif self.request.form.get("earlier") in ("on", "off"):
                wanted = self.request.form["earlier"] == "on"
                earlier.ask(self.appointment, wanted)
                done = f"earlier={'on' if wanted else 'off'}"
            elif "satisfaction" in self.request.form:
                satisfaction.handle_satisfaction_form(
                    self.appointment, self.request.form
                )
                done = "answered=1#after-call"
            elif "upload" in self.request.form:
                upload = self.request.form.get("file")
                if not getattr(upload, "filename", ""):
                    raise errors.InvalidInput(
                        _("Choose a file."), {"file": _("Choose a file.")}
                    )
                upload_for_citizen(self.appointment, upload)
                done = "uploaded=1"
            else:
                return False
        except errors.UserError as error:
            self.fail(error)
            return False
        self.request.response.redirect(f"{self.url}?{done}", status=303)
        return True

    # --- facts for the page -------------------------------------------------

    @property
    def url(self):
        return citizen_url(self.token)

    @property
    def desk_appointment(self):
        return self.appointment

    @property
    def after_call(self):
        return after_call.AfterCall(
            self.appointment, self.request, token=self.token, errors=self.errors
        )

    @property
    def desk_url(self):
        return f"{api.portal.get().absolute_url()}/@appointment/{self.token}/desk"

    @property
    def device_test_url(self):
        return device_test_url(self.token)

    @property
    def base_url(self):
        return f"{self.url}/move"

    @property
    def state(self):
        return api.content.get_state(self.appointment)

    @property
    def changeable(self):
        """Booked and not yet begun: the citizen may still move or cancel it."""
        return self.state == "booked" and self.appointment.start > settings.now_utc()

    @property
    def earlier_waiting(self):
        """The citizen asked to hear of an earlier time (and has not switched it off)."""
        return earlier.is_waiting(self.appointment)

    @property
    def show_room(self):
        return self.appointment.channel == "video" and self.state in (
            "booked",
            "in_progress",
        )

    @property
    def room_info_url(self):
        portal_url = api.portal.get().absolute_url()
        return f"{portal_url}/@appointment/{self.token}/video"

    # --- documents ------------------------------------------------------------

    def start_identification(self):
        """Off to the DigiD or eHerkenning broker (the login is kept for ten minutes, used once)."""
        alsoProvides(
            self.request, IDisableCSRFProtection
        )  # only the pending login is written
        self.product = store.product_of(self.appointment)
        self.picker = None
        schemes = identification.schemes(self.appointment, self.product) or ("digid",)
        scheme = self.scheme or (schemes[0] if len(schemes) == 1 else "")
        if scheme not in schemes:
            # Either: the citizen chooses on the page; or a way this product has not.
            self.request.response.setStatus(200 if not self.scheme else 404)
            return self.index()
        start = eherkenning.start if scheme == "eherkenning" else digid.start
        try:
            with api.env.adopt_roles(["Manager"]):
                url = start(self.appointment, self.token, self.request)
        except errors.UserError as error:
            self.request.response.setStatus(error.status)
            self.message = error.message
            self.errors = {}
            return self.index()
        self.request.response.redirect(url, status=303)
        return ""

    @property
    def identification(self):
        """None when not needed; else {"done", "urls": {scheme: url}, "scheme", "company"}."""
        schemes = identification.schemes(self.appointment, self.product)
        if not schemes:
            return None
        identity = identification.identity_of(self.appointment)
        if identity is None and self.state not in ("booked", "in_progress"):
            return None  # cancelled or over: nothing to log in for any more
        urls = (
            {scheme: f"{self.url}/identify/{scheme}" for scheme in schemes}
            if len(schemes) > 1
            else {schemes[0]: f"{self.url}/identify"}
        )
        company = ""
        if identity is not None and identity["scheme"] == "eherkenning":
            company = translate(
                identification.company(identity, hide=False), context=self.request
            )
        return {
            "done": identity is not None,
            "scheme": identity["scheme"] if identity else "",
            "urls": urls,
            "either": len(schemes) > 1,
            "name": identity.get("name", "") if identity else "",
            "company": company,
        }

    def serve_document(self):
        """A document the citizen sent, or one the employee showed in the call."""
        response = self.request.response
        with api.env.adopt_roles(["Manager"]):
            dossier = dossiers.of(self.appointment)
            document = dossier._getOb(self.document_id, None) if dossier else None
        if (
            document is None
            or not IDossierDocument.providedBy(document)
            or not may_open(document, self.appointment)
        ):
            response.setStatus(404)
            return self.not_found()
        # Reading writes one audit entry.
        alsoProvides(self.request, IDisableCSRFProtection)
        audit.log(dossier, "viewed by the citizen", document.Title())
        inline = document.kind in ("pdf", "jpeg", "png")
        # The type the content was checked to be, whatever is stored with it.
        response.setHeader("Content-Type", filetypes.TYPES[document.kind][0])
        if document.kind != "pdf":
            # Chrome's PDF viewer does not run in a sandbox; images and downloads do.
            response.setHeader("Content-Security-Policy", "sandbox; default-src 'none'")
        response.setHeader(
            "Content-Disposition",
            f"{'inline' if inline else 'attachment'}; "
            f"filename*=UTF-8''{quote(document.file.filename or document.Title())}",
        )
        response.setHeader("X-Content-Type-Options", "nosniff")
        with document.file.open() as blob:
            return blob.read()

    @property
    def document_url(self):
        return f"{self.url}/document/{{id}}"

    def payments(self):
        return payments_for(self.appointment, self.url)

    @property
    def has_dossier(self):
        return dossiers.of(self.appointment) is not None

    def my_documents(self):
        items = citizen_documents(self.appointment)
        for item in items:
            item["size_text"] = f"{max(1, round(item['size'] / 1024))} kB"
        return items

    @property
    def may_upload(self):
        return self.state in ("booked", "in_progress")

    @property
    def show_documents(self):
        """The documents part: while sending is possible, or to list what was sent."""
        return self.has_dossier and (self.may_upload or bool(self.my_documents()))

    def link_sent_to(self):
        """Where the link went too (after booking), so a typo is noticed."""
        email = getattr(self.appointment, "email", None)
        if not email and texts.by_text_only(self.appointment):
            # Masked: the page is open on a screen others may see.
            phone = texts.masked_phone(self.appointment.phone)
            return self.translate(
                _(
                    "We sent the link by text message to ${phone}.",
                    mapping={"phone": phone},
                )
            )
        if not email:
            return ""
        return self.translate(
            _("We also sent the link by e-mail to ${email}.", mapping={"email": email})
        )

    def copied_text(self):
        return self.translate(_("The link is copied."))

    @property
    def upload_url(self):
        return f"{api.portal.get().absolute_url()}/@appointment/{self.token}/documents"

    def upload_accept(self):
        return ",".join(
            filetypes.TYPES[kind][1] for kind in documents_module.allowed_types()
        )

    def upload_help(self):
        kinds = documents_module.allowed_types()
        return self.translate(
            _(
                "PDF, photo or text document (${types}), at most ${mb} MB. "
                "We check every file for viruses.",
                mapping={
                    "types": ", ".join(
                        filetypes.TYPES[k][1].lstrip(".").upper() for k in kinds
                    ),
                    "mb": documents_module.max_bytes() // (1024 * 1024),
                },
            )
        )

    def room_messages(self):
        return room_messages(self.request)

    def state_title(self):
        return self.translate(STATES.get(self.state, self.state))

    def when(self):
        tz = settings.site_timezone()
        start = self.appointment.start.astimezone(tz)
        end = self.appointment.end.astimezone(tz)
        return {
            "date": formatting.long_date(start.date()),
            "times": f"{formatting.clock(start)} – {formatting.clock(end)}",
        }

    def channel_title(self):
        for term in CHANNELS:
            if term.value == self.appointment.channel:
                return self.translate(term.title)
        return self.appointment.channel

    def price(self):
        return formatting.price(self.product.price) if self.product else None

    def documents(self):
        return (
            (getattr(self.product, "required_documents", None) or [])
            if self.product
            else []
        )
