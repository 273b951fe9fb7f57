"""Employee login through the organisation's account (SSO): start, answer, link."""

from collective.digitalebalie import logger
from collective.digitalebalie import sso
from plone.app.layout.viewlets import ViewletBase
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.interfaces import ILoginProviders
from plone.restapi.services import Service
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zExceptions import NotFound
from zope.i18n import translate
from zope.interface import alsoProvides
from zope.interface import implementer
import transaction
import urllib.parse


class _SsoPage(BrowserView):
    index = ViewPageTemplateFile("templates/sso_failed.pt")
    message = ""

    def refused(self, error):
        # Nothing the answer did is kept; the cookie's expiry still goes out.
        transaction.doom()
        logger.warning("employee SSO login refused: %s", error.reason)
        self.request.response.setStatus(error.status)
        self.message = translate(error.message, context=self.request)
        return self.index()

    def _headers(self):
        response = self.request.response
        response.setHeader("Cache-Control", "no-store")
        response.setHeader("Referrer-Policy", "no-referrer")

    def __call__(self):
        if not sso.enabled():
            raise NotFound("SSO is off")
        self._headers()
        # No form token on either step: the login and the callback are reached
        # by redirects; the state and nonce of the pending login protect them.
        alsoProvides(self.request, IDisableCSRFProtection)
        try:
            url = self.step(self.request)
        except sso.SsoRefused as error:
            return self.refused(error)
        self.request.response.redirect(url, status=303)
        return ""


class LoginView(_SsoPage):
    """@@sso-login[?came_from=...]: off to the organisation's login service."""

    # Only the plugin's settings are written here, and only when they changed.
    step = staticmethod(sso.start)


class CallbackView(_SsoPage):
    """@@sso-callback?code=...&state=...: the login service sends the employee back."""

    # The state (in the browser's cookie) and the nonce protect this step.
    step = staticmethod(sso.finish)


class LoginLinkViewlet(ViewletBase):
    """On Plone's login form, when SSO is on: a link to log in with the organisation's account."""

    index = ViewPageTemplateFile("templates/sso_link.pt")

    def available(self):
        return sso.enabled()

    def url(self):
        came_from = self.request.form.get("came_from") or ""
        query = urllib.parse.urlencode({"came_from": came_from}) if came_from else ""
        base = f"{self.portal_state.portal_url()}/@@sso-login"
        return f"{base}?{query}" if query else base

    def render(self):
        return self.index() if self.available() else ""


@implementer(ILoginProviders)
class LoginProviders:
    """GET @login's login options: the employee SSO leads to @@sso-login.

    Replaces pas.plugins.oidc's list (overrides.zcml), which would point to
    its REST login for every OIDC plugin; other OIDC plugins keep that address.
    """

    def __init__(self, context):
        self.context = context

    def get_providers(self):
        from pas.plugins.oidc.plugins import OIDCPlugin

        portal_url = self.context.absolute_url()
        options = []
        for plugin in self.context.acl_users.objectValues():
            if not isinstance(plugin, OIDCPlugin):
                continue
            if plugin.getId() == sso.PLUGIN_ID:
                url = f"{portal_url}/@@sso-login"
            else:
                url = f"{portal_url}/@login-oidc/{plugin.getId()}"
            options.append(
                {
                    "id": plugin.getId(),
                    "plugin": "oidc",
                    "title": plugin.title,
                    "url": url,
                }
            )
        return options


class NoOidcService(Service):
    """pas.plugins.oidc's @login-oidc and @logout-oidc, closed: they let a wrong state through."""

    def reply(self):
        self.request.response.setStatus(404)
        return {
            "error": {
                "type": "NotFound",
                "message": "Employees log in at @@sso-login.",
            }
        }
