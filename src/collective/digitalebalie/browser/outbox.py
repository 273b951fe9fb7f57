"""The mail outbox: the delivery job's entry point, and a page for managers."""

from AccessControl import Unauthorized
from collective.digitalebalie import _
from collective.digitalebalie import credentials
from collective.digitalebalie.dossiers import retention
from collective.digitalebalie.integrations import outbox
from collective.digitalebalie.integrations import payments
from collective.digitalebalie.integrations import reminders
from collective.digitalebalie.integrations import zgw
from collective.digitalebalie.masking import mask
from email import message_from_string
from email import policy
from plone import api
from plone.protect import CheckAuthenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from ZODB.POSException import ConflictError
from zope.i18n import translate
from zope.interface import alsoProvides
import hmac
import json


# The states of a message (integrations.outbox.OutboxMessage.state), in words.
STATE_TITLES = {
    "waiting": _("Waiting to be sent"),
    "retrying": _("Not sent yet; tried again automatically"),
    "sent": _("Sent"),
    "kept (demo)": _("Kept here, not sent (demo setting)"),
    "failed": _("Not sent: see the error"),
    "not sent": _("Not sent"),
}
NOT_MADE_YET = _("This message is put together just before it is sent.")


class JobView(BrowserView):
    """A job's entry point: POST, by the job (with its key) or a manager."""

    def __call__(self):
        response = self.request.response
        response.setHeader("Content-Type", "application/json")
        response.setHeader("Cache-Control", "no-store")
        if self.request.method != "POST":
            response.setStatus(405)
            return json.dumps(
                {"error": {"type": "MethodNotAllowed", "message": "Use POST."}}
            )
        key = self.request.getHeader("X-Digitalebalie-Job-Key") or ""
        expected = credentials.get_secret("job_key")
        if expected and hmac.compare_digest(key.encode(), expected.encode()):
            # A machine call with the shared key: no session another site could use.
            alsoProvides(self.request, IDisableCSRFProtection)
        elif api.user.has_permission("collective.digitalebalie: Manage settings"):
            # A manager's browser session: only with Plone's form token.
            CheckAuthenticator(self.request)
            alsoProvides(self.request, IDisableCSRFProtection)
        else:
            raise Unauthorized("The job's key is missing or wrong.")
        return json.dumps(self.run())

    def run(self):
        raise NotImplementedError


class DeliverView(JobView):
    """POST @@digitalebalie-deliver: payments without webhook, reminders, the outbox."""

    def run(self):
        # "Send now" (all waiting mail, not only what is due): managers only.
        force = bool(self.request.form.get("all")) and api.user.has_permission(
            "collective.digitalebalie: Manage settings"
        )
        result = {"reminders": reminders.send_due()}
        result.update(outbox.deliver(force=force))
        result["archive"] = zgw.deliver(force=force)
        # Last: a slow or absent Mollie must not hold up mail and reminders.
        result["payments"] = payments.poll_open()
        return result


class RetentionView(JobView):
    """POST @@digitalebalie-retention: destroy approved dossiers, remove old personal data."""

    def run(self):
        return retention.run()


class OutboxView(BrowserView):
    """Managers read what was sent, is waiting, or failed (and why)."""

    index = ViewPageTemplateFile("templates/outbox.pt")

    def __call__(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        return self.index()

    def messages(self):
        items = sorted(
            outbox.outbox().values(), key=lambda item: item.created, reverse=True
        )
        return items[:200]

    def state_title(self, item):
        return translate(STATE_TITLES.get(item.state, item.state), context=self.request)

    def capture_only(self):
        return outbox.capture_only()

    def shown(self, item):
        """What the page shows of a message: its text, with the links' tokens
        masked. An administrator reads what was sent, but gets no working key
        to a citizen's appointment or a guest's room."""
        if item.channel == "sms":
            return mask(item.message)
        if item.compose is not None:
            return self.preview(item)
        return self.text_of(message_from_string(item.message, policy=policy.default))

    def preview(self, item):
        """A mail the delivery job has not composed yet: as it will read."""
        composer, details = outbox.composer_of(item)
        note = translate(NOT_MADE_YET, context=self.request)
        try:
            message = composer(item, details, preview=True) if composer else None
        except ConflictError:
            raise
        except Exception:  # noqa: BLE001 - the job will say why; the page stays
            message = None
        if message is None:
            return note
        return f"{note}\n\n{self.text_of(message)}"

    def text_of(self, message):
        """The headers and text of a mail, the links' tokens masked."""
        lines = [f"{name}: {message[name]}" for name in ("From", "To", "Subject")]
        lines.append("")
        for part in message.walk():
            if part.is_multipart():
                continue
            name = part.get_filename()
            if name or part.get_content_type() != "text/plain":
                # The HTML alternative says the same; attachments by name only,
                # and the invitation in the body (for Outlook) by its type.
                if name:
                    lines.append(f"[{name}: {part['Content-Type']}]")
                elif part.get_content_type() == "text/calendar":
                    lines.append(f"[{part['Content-Type']}]")
                continue
            try:
                lines.append(part.get_content())
            except (LookupError, ValueError):
                lines.append("[?]")
        return mask("\n".join(lines))
