"""The counter employee's dossier page: documents, appointments, workflow, audit."""

from collective.digitalebalie import _
from collective.digitalebalie import desk
from collective.digitalebalie import errors
from collective.digitalebalie import settings
from collective.digitalebalie import teams
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.browser.my_appointment import STATES
from collective.digitalebalie.dossiers import audit
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.dossiers import export
from collective.digitalebalie.dossiers import retention
from collective.digitalebalie.dossiers.events import PreconditionFailed
from collective.digitalebalie.dossiers.preconditions import closing_problems
from collective.digitalebalie.integrations import zgw
from collective.digitalebalie.settings import setting
from plone import api
from plone.namedfile.browser import DisplayFile
from plone.namedfile.browser import Download
from plone.protect import CheckAuthenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zExceptions import NotFound
from zope.i18n import translate
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse
import transaction


DOSSIER_STATES = {
    "dossier-state-open": _("Open"),
    "dossier-state-in-progress": _("In progress"),
    "dossier-state-waiting-for-citizen": _("Waiting for the citizen"),
    "dossier-state-closed": _("Closed"),
    "dossier-state-archived": _("Archived"),
}
MANAGE = "collective.digitalebalie: Manage appointments"
ZGW_STATES = {
    "waiting": _("Waiting to be sent"),
    "sending": _("Being sent"),
    "retrying": _("Not sent yet; tried again automatically"),
    "failed": _("Not sent: see the error"),
    "done": _("Sent"),
}
TRANSITIONS = {
    "dossier-transition-start": _("Start working on it"),
    "dossier-transition-wait": _("Wait for the citizen"),
    "dossier-transition-resume": _("Continue"),
    "dossier-transition-close": _("Close"),
    "dossier-transition-reopen": _("Open again"),
    "dossier-transition-archive": _("Archive"),
}
# What each step did, said after it (not just "changed").
DONE = {
    "dossier-transition-start": _("The dossier is in progress."),
    "dossier-transition-wait": _("The dossier waits for the citizen."),
    "dossier-transition-resume": _("The dossier is in progress again."),
    "dossier-transition-close": _("The dossier is closed."),
    "dossier-transition-reopen": _("The dossier is open again."),
    "dossier-transition-archive": _("The dossier is archived."),
}
# Appointments that are not over yet.
OPEN_APPOINTMENTS = ("booked", "in_progress")
ADD = desk.ADD_DOCUMENT


def _log_read(obj, action, detail=""):
    """Reading writes one audit entry; a GET may do that (and nothing else)."""
    request = obj.REQUEST
    alsoProvides(request, IDisableCSRFProtection)
    audit.log(obj, action, detail)


class DossierView(BrowserView):
    index = ViewPageTemplateFile("templates/dossier.pt")

    def __call__(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        self.problems = []
        if self.request.method == "POST":
            return self.handle_post()
        _log_read(self.context, "viewed")
        return self.index()

    def t(self, message):
        return translate(message, context=self.request)

    def handle_post(self):
        CheckAuthenticator(self.request)
        form = self.request.form
        show = api.portal.show_message
        try:
            if form.get("action") == "zgw-retry":
                if not self.may_resend() or not zgw.enabled():
                    raise errors.WrongState(
                        _("This dossier is not sent to the case system.")
                    )
                zgw.request_archive(self.context)
                show(
                    _("The dossier will be sent to the case system again."),
                    request=self.request,
                )
                self.request.response.redirect(self.context.absolute_url())
                return ""
            if form.get("action") == "upload":
                document = desk.upload(
                    self.context, form.get("file"), api.user.get_current().getId()
                )
                show(
                    _("${name} is saved.", mapping={"name": document.Title()}),
                    request=self.request,
                )
            else:
                transition = form.get("transition")
                available = {t["id"] for t in self.transitions()}
                if transition not in available:
                    raise errors.WrongState(
                        _("This cannot be done with this dossier (any more).")
                    )
                api.content.transition(self.context, transition=transition)
                show(
                    DONE.get(transition, _("The dossier is changed.")),
                    request=self.request,
                )
        except errors.UserError as error:
            transaction.doom()
            self.request.response.setStatus(error.status)
            show(error.message, request=self.request, type="error")
        except PreconditionFailed as failed:
            transaction.doom()
            self.request.response.setStatus(409)
            self.problems = [self.t(p) for p in failed.problems]
            show(
                _("The dossier cannot be closed yet."),
                request=self.request,
                type="error",
            )
            return self.index()
        else:
            # Back to the appointment page when the upload came from the room.
            back = form.get("came_from") or ""
            portal = api.portal.get().absolute_url()
            if not back.startswith(portal + "/"):
                back = self.context.absolute_url()
            self.request.response.redirect(back)
            return ""
        return self.index()

    def state_title(self):
        state = api.content.get_state(self.context)
        return self.t(DOSSIER_STATES.get(state, state))

    def transitions(self):
        workflow = api.portal.get_tool("portal_workflow")
        return [
            {"id": t["id"], "title": self.t(TRANSITIONS.get(t["id"], t["id"]))}
            for t in workflow.getTransitionsFor(self.context)
        ]

    def archive(self):
        """What the case system knows of this dossier, for the page."""
        current = zgw.state(self.context)
        if current is None:
            if (
                not zgw.enabled()
                or api.content.get_state(self.context) == "dossier-state-archived"
            ):
                return None
            # Not sent yet: an employee may send it now, before closing.
            return {
                "state": self.t(_("Not sent to the case system yet")),
                "zaak": "",
                "identificatie": "",
                "error": "",
                "may_retry": api.user.has_permission(MANAGE, obj=self.context),
            }
        return {
            "state": self.t(
                ZGW_STATES.get(current.get("state"), current.get("state", ""))
            ),
            "zaak": current.get("zaak") or "",
            "identificatie": current.get("zaak_identificatie") or "",
            "error": current.get("error") or "",
            "may_retry": current.get("state") in ("failed", "retrying", "done")
            and self.may_resend(),
        }

    def may_resend(self):
        """Sending again changes nothing in the dossier: an archived one (read
        only) may be sent again by its team, e.g. after a refused final status."""
        if api.content.get_state(self.context) == "dossier-state-archived":
            roles = set(api.user.get_roles(obj=self.context))
            return bool(roles & {"Manager", "Site Administrator", "CounterTeam"})
        return api.user.has_permission(MANAGE, obj=self.context)

    def may_upload(self):
        return api.user.has_permission(ADD, obj=self.context)

    def may_read_audit(self):
        return api.user.has_permission(
            "collective.digitalebalie: Manage settings", obj=self.context
        )

    def closing_problems(self):
        if api.content.get_state(self.context) not in dossiers.ACTIVE:
            return []
        return [self.t(p) for p in closing_problems(self.context)]

    def open_appointments(self):
        """Appointments of the dossier that have not taken place yet: closing
        the dossier before them is allowed, but the employee is warned."""
        if "dossier-transition-close" not in {t["id"] for t in self.transitions()}:
            return []
        return [a for a in self.appointments() if a["state_id"] in OPEN_APPOINTMENTS]

    def citizen(self):
        """The citizen's name, from the dossier's first appointment."""
        for appointment in dossiers.appointments_of(self.context):
            return appointment.fullname
        return ""

    def uploader(self, doc):
        if doc.uploaded_by == "citizen":
            return self.t(_("the citizen"))
        if doc.uploaded_by == "payment provider":
            return self.t(_("the payment provider"))
        return teams.fullname(doc.uploaded_by) or doc.uploaded_by

    def documents(self):
        tz = settings.site_timezone()
        for doc in sorted(self.context.objectValues(), key=lambda d: d.created()):
            created = doc.created().asdatetime().astimezone(tz)
            yield {
                "title": doc.Title(),
                "url": f"{doc.absolute_url()}/@@download/file",
                "size": f"{doc.file.getSize() / 1024:.0f} kB",
                "sha256": doc.sha256,
                "sha256_short": f"{doc.sha256[:12]}…",
                "by": self.uploader(doc),
                "when": f"{formatting.short_date(created.date())} {formatting.clock(created)}",
                "scan": doc.scan,
            }

    def appointments(self):
        tz = settings.site_timezone()
        for appointment in dossiers.appointments_of(self.context):
            start = appointment.start.astimezone(tz)
            yield {
                "url": appointment.absolute_url(),
                "when": f"{formatting.long_date(start.date())} {formatting.clock(start)}",
                "fullname": appointment.fullname,
                "persons": formatting.persons(appointment, self.request),
                "state": self.t(STATES.get(api.content.get_state(appointment), "")),
                "state_id": api.content.get_state(appointment),
            }

    def dates(self):
        tz = settings.site_timezone()
        result = []
        for label, value in (
            (_("Opened"), self.context.opened),
            (_("Closed"), self.context.closed),
            (_("Archived"), self.context.archived),
        ):
            if value:
                result.append(
                    (self.t(label), formatting.long_date(value.astimezone(tz).date()))
                )
        if self.context.destroy_after:
            result.append(
                (
                    self.t(_("Destroy after")),
                    formatting.long_date(self.context.destroy_after),
                )
            )
        return result


class AuditView(BrowserView):
    """Managers read the audit trail; nobody can change it."""

    index = ViewPageTemplateFile("templates/dossier_audit.pt")

    def __call__(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        return self.index()

    def entries(self):
        return list(reversed(audit.entries(self.context)))


# Shown in the browser; every other kind (DOCX, ODT, HEIC) is saved, never opened
# by the browser as something else.
INLINE_KINDS = ("pdf", "jpeg", "png")


class _AuditedFile:
    """Reading a dossier document's file: one audit entry, private headers.

    Only the document's file field; never another attribute under its name.
    """

    def publishTraverse(self, request, name):
        if self.fieldname is None and name != "file":
            raise NotFound(self, name, request)
        return super().publishTraverse(request, name)

    def __call__(self):
        self.fieldname = self.fieldname or "file"
        _log_read(self.context.__parent__, "downloaded", self.context.Title())
        response = self.request.response
        response.setHeader("Cache-Control", "private, no-store")
        response.setHeader("X-Content-Type-Options", "nosniff")
        return super().__call__()

    def set_headers(self, file):
        if getattr(self.context, "kind", None) in INLINE_KINDS:
            super().set_headers(file)
        else:
            Download.set_headers(self, file)  # as an attachment


class AuditedDownload(_AuditedFile, Download):
    """@@download/file: every download of a dossier document is in the audit trail."""


class AuditedDisplayFile(_AuditedFile, DisplayFile):
    """@@display-file/file: the same, shown in the browser when it can be."""


@implementer(IPublishTraverse)
class NoImages(BrowserView):
    """@@images of a dossier document: closed. Scales and the original would be
    a way to read a document that the audit trail does not see."""

    def publishTraverse(self, request, name):
        raise NotFound(self, name, request)

    def __call__(self):
        raise NotFound(self, "images", self.request)


class ExportView(BrowserView):
    """@@dossier-export: the ZIP with the documents and the PDF/A summary."""

    def __call__(self):
        alsoProvides(
            self.request, IDisableCSRFProtection
        )  # writes the audit entry only
        municipality = setting("municipality_name", "")
        data = export.export_zip(self.context, municipality)
        response = self.request.response
        response.setHeader("Content-Type", "application/zip")
        response.setHeader(
            "Content-Disposition",
            f'attachment; filename="dossier-{self.context.getId()}.zip"',
        )
        response.setHeader("Cache-Control", "private, no-store")
        return data


class PrintView(BrowserView):
    """@@dossier-print: the summary on one page, for paper."""

    index = ViewPageTemplateFile("templates/dossier_print.pt")

    def __call__(self):
        _log_read(self.context, "printed")
        self.request.response.setHeader("Cache-Control", "private, no-store")
        self.facts = export.summary(self.context)
        return self.index()


class RetentionPage(BrowserView):
    """Managers approve the destruction of dossiers whose retention period is over."""

    index = ViewPageTemplateFile("templates/dossier_retention.pt")

    def __call__(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        if self.request.method == "POST":
            CheckAuthenticator(self.request)
            chosen = set(self.request.form.get("approve", []) or [])
            user_id = api.user.get_current().getId()
            approved = 0
            for dossier in retention.due():
                if dossier.getId() in chosen and not getattr(
                    dossier, "destruction_approved", None
                ):
                    retention.approve(dossier, user_id)
                    approved += 1
            api.portal.show_message(
                _("1 dossier will be destroyed at the next run of the retention job.")
                if approved == 1
                else _(
                    "${count} dossiers will be destroyed at the next run of the retention job.",
                    mapping={"count": approved},
                ),
                request=self.request,
            )
            self.request.response.redirect(self.request.getURL())
            return ""
        return self.index()

    def due(self):
        for dossier in retention.due():
            approved = getattr(dossier, "destruction_approved", None)
            yield {
                "id": dossier.getId(),
                "subject": dossier.subject,
                "archived": dossier.archived.date().isoformat()
                if dossier.archived
                else "",
                "destroy_after": dossier.destroy_after.isoformat(),
                "approved": f"{approved[0]:%Y-%m-%d %H:%M} UTC, {approved[1]}"
                if approved
                else "",
            }
