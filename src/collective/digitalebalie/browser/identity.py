"""DigiD and eHerkenning pages: the broker's answer, and what employees see of an identity."""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie.browser import desk_forms
from collective.digitalebalie.browser import headers
from collective.digitalebalie.integrations import digid
from collective.digitalebalie.integrations import eherkenning
from collective.digitalebalie.integrations import identification
from collective.digitalebalie.integrations.broker import OtherBrowser
from collective.digitalebalie.services.serialize import citizen_url
from plone import api
from plone.protect import CheckAuthenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate
from zope.interface import alsoProvides
import transaction


REVEALED = "collective.digitalebalie.revealed-bsn"  # the revealed identity


class CallbackView(BrowserView):
    """@@digid-callback?code=...&state=...: the broker sends the citizen back here."""

    index = ViewPageTemplateFile("templates/digid_failed.pt")
    scheme = "digid"

    def finish(self):
        return digid.finish(self.request)

    def __call__(self):
        response = self.request.response
        response.setHeader("Cache-Control", "no-store")
        response.setHeader("Referrer-Policy", "no-referrer")
        headers.citizen_page(response)  # the failure page is a citizen's page
        alsoProvides(
            self.request, IDisableCSRFProtection
        )  # the browser's cookie, state and nonce protect this step
        try:
            with api.env.adopt_roles(["Manager"]):
                _appointment, token = self.finish()
        except OtherBrowser as error:
            # Another browser: the login stays for the one that started it.
            transaction.doom()
            return self.refused(error)
        except errors.UserError as error:
            # The used or expired login is gone either way; nothing else changed.
            transaction.commit()
            return self.refused(error)
        response.redirect(f"{citizen_url(token)}?identified=1", status=303)
        return ""

    def refused(self, error):
        self.request.response.setStatus(error.status)
        self.message = translate(error.message, context=self.request)
        return self.index()


class EHerkenningCallbackView(CallbackView):
    """@@eherkenning-callback?code=...&state=...: the same for eHerkenning."""

    scheme = "eherkenning"

    def finish(self):
        return eherkenning.finish(self.request)


class IdentityViews(BrowserView):
    """Employees: ask for DigiD during the call, and reveal the BSN or KVK number (audited)."""

    def request_identification(self):
        CheckAuthenticator(self.request)
        return desk_forms.answer(
            self,
            lambda: digid.request_identification(self.context),
            _("The citizen is asked to log in with DigiD on their appointment page."),
        )

    def reveal(self):
        CheckAuthenticator(self.request)
        try:
            identity = identification.reveal(self.context)
        except errors.UserError:
            self.request.response.redirect(self.context.absolute_url())
            return ""
        self.request.response.setHeader("Cache-Control", "private, no-store")
        IAnnotations(self.request)[REVEALED] = identity
        return self.context.restrictedTraverse("@@view")()
