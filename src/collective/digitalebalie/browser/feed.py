"""The personal calendar feed: managed by its employee, read by calendar programs."""

from collective.digitalebalie import _
from collective.digitalebalie import feeds
from plone import api
from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zExceptions import NotFound
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse


class FeedSettingsView(BrowserView):
    """@@agenda-feed: make a new secret URL or revoke it."""

    index = ViewPageTemplateFile("templates/agenda_feed.pt")
    new_url = None

    def __call__(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        user_id = api.user.get_current().getId()
        if self.request.method == "POST":
            CheckAuthenticator(self.request)
            if self.request.form.get("action") == "revoke":
                feeds.revoke(user_id)
                api.portal.show_message(
                    _(
                        "The calendar feed is switched off. The old address no longer works."
                    ),
                    request=self.request,
                )
            else:
                # Shown once: only its hash is stored.
                self.new_url = feeds.url(feeds.create(user_id))
        self.active = feeds.has_feed(user_id)
        return self.index()


@implementer(IPublishTraverse)
class CalendarFeedView(BrowserView):
    """@@calendar-feed/{secret}: the iCalendar file, for calendar programs."""

    secret = ""

    def publishTraverse(self, request, name):
        if self.secret:
            raise NotFound(name)
        self.secret = name
        return self

    def __call__(self):
        response = self.request.response
        response.setHeader("Cache-Control", "private, no-store")
        response.setHeader("Referrer-Policy", "no-referrer")
        response.setHeader("X-Robots-Tag", "noindex")
        user_id = feeds.user_for(self.secret)
        if user_id is None:
            response.setStatus(404)
            response.setHeader("Content-Type", "text/plain; charset=utf-8")
            return "No calendar feed at this address (any more)."
        response.setHeader("Content-Type", "text/calendar; charset=utf-8")
        response.setHeader("Content-Disposition", 'inline; filename="agenda.ics"')
        return feeds.calendar(user_id)
