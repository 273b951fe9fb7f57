"""The link in an 'earlier time is free' message: confirm (GET), then move (POST).

The token is the credential (as the citizen's own link); a GET changes
nothing, so a mail scanner that opens the link moves no appointment.
"""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import settings
from collective.digitalebalie.booking import earlier
from collective.digitalebalie.booking import links
from collective.digitalebalie.booking import store
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.browser import headers
from plone import api
from plone.protect import CheckAuthenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zExceptions import Forbidden
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse
import transaction


@implementer(IPublishTraverse)
class EarlierTimeView(BrowserView):
    index = ViewPageTemplateFile("templates/earlier_time.pt")

    token = ""
    message = None
    product = None
    offer_open = False  # the time can be taken: the page asks to confirm

    def publishTraverse(self, request, name):
        if not self.token:
            self.token = name
        return self

    def __call__(self):
        response = self.request.response
        headers.secret_link_page(response)
        try:
            self.appointment, self.start = earlier.find(self.token)
        except errors.NotFound as error:
            response.setStatus(404)
            self.message = error.message
            self.appointment = None
            return self.index()
        self.product = store.product_of(self.appointment)
        if self.request.method == "POST":
            return self.handle_post()
        self.message = self.why_not()
        return self.index()

    def why_not(self):
        """None when the offered time can be taken now; else why not, in words."""
        try:
            earlier.check(self.appointment, self.start)
        except errors.UserError as error:
            return error.message
        self.offer_open = True
        return None

    def handle_post(self):
        try:
            CheckAuthenticator(self.request)
        except Forbidden:
            self.request.response.setStatus(400)
            self.why_not()
            self.message = _(
                "The page was open too long. Please check your choice and send it again."
            )
            return self.index()
        alsoProvides(self.request, IDisableCSRFProtection)  # our token is checked
        if "other" in self.request.form:
            # The normal move, on the citizen's page: a fresh link to it.
            if self.appointment_open:
                return self.redirect(links.fresh_link(self.appointment), "/move#move")
            self.request.response.setStatus(409)
            self.message = _("You can no longer change this appointment.")
            return self.index()
        try:
            earlier.take(self.token)
        except errors.UserError as error:
            transaction.doom()  # nothing a failed attempt touched is kept
            self.request.response.setStatus(error.status)
            self.message = error.message
            return self.index()
        return self.redirect(links.fresh_link(self.appointment), "?moved=1")

    def redirect(self, token, rest):
        self.request.response.redirect(f"{links.citizen_url(token)}{rest}", status=303)
        return ""

    @property
    def appointment_open(self):
        """Booked and not begun: the citizen may still choose another time."""
        return (
            self.appointment is not None
            and api.content.get_state(self.appointment) == "booked"
            and self.appointment.start > settings.now_utc()
        )

    def when(self, moment):
        local = moment.astimezone(settings.site_timezone())
        return f"{formatting.long_date(local.date())}, {formatting.clock(local)}"
