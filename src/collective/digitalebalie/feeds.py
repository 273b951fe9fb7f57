"""A personal calendar feed per counter employee, on a secret, revocable URL.

Calendar programs (Outlook, Thunderbird, phones) cannot log in to Plone, so
the URL itself is the credential. Only its SHA-256 is stored: a new URL
replaces the old one, and revoking removes it. The feed names the product and
how the appointment takes place, not the citizen: an agenda synchronised to
another system should not carry citizens' personal data.
"""

from BTrees.OOBTree import OOBTree
from collective.digitalebalie import agenda
from collective.digitalebalie import settings
from collective.digitalebalie import teams
from collective.digitalebalie.booking import store
from collective.digitalebalie.content.counter_product import CHANNELS
from collective.digitalebalie.integrations import invitations
from collective.digitalebalie.settings import setting
from collective.digitalebalie.storage import annotation
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from icalendar import Calendar
from icalendar import Event
from plone import api
from zope.i18n import translate
import hashlib
import secrets


FEEDS_KEY = "collective.digitalebalie.feeds"
DAYS_BACK = 30
DAYS_AHEAD = 90


def _feeds():
    # "h:<hash>" -> user id, "u:<user id>" -> hash
    return annotation(api.portal.get(), FEEDS_KEY, OOBTree)


def _hash(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def has_feed(user_id):
    return f"u:{user_id}" in _feeds()


def revoke(user_id):
    feeds = _feeds()
    old = feeds.get(f"u:{user_id}")
    if old is not None:
        feeds.pop(f"h:{old}", None)
        del feeds[f"u:{user_id}"]


def create(user_id):
    """A new secret for this user's feed; the old URL stops working."""
    revoke(user_id)
    secret = secrets.token_urlsafe(24)
    feeds = _feeds()
    feeds[f"h:{_hash(secret)}"] = user_id
    feeds[f"u:{user_id}"] = _hash(secret)
    return secret


def url(secret):
    return f"{api.portal.get().absolute_url()}/@@calendar-feed/{secret}"


def user_for(secret):
    if not secret or len(secret) > 100:
        return None
    return _feeds().get(f"h:{_hash(secret)}")


def calendar(user_id, now=None):
    """The user's own appointments from 30 days back to 90 days ahead, as iCalendar."""
    tz = settings.site_timezone()
    today = (now or settings.now_utc()).astimezone(tz).date()
    user = api.user.get(userid=user_id)
    mine = teams.user_teams(user) if user is not None else set()
    municipality = setting("municipality_name", "")
    cal = Calendar()
    cal.add("prodid", "-//collective.digitalebalie//Agenda//NL")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{municipality}: agenda".strip(": "))
    # The product's own words for how it takes place, in the site's language.
    language = api.portal.get_default_language()[:2] or "nl"
    channels = {
        term.value: translate(term.title, target_language=language) for term in CHANNELS
    }
    first = today - timedelta(days=DAYS_BACK)
    with api.env.adopt_roles(["Manager"]):
        for product in agenda.all_products():
            if not mine & set(teams.product_teams(product)):
                continue
            last = today + timedelta(days=DAYS_AHEAD)
            for appointment in store.listing(product, first, last):
                if getattr(appointment, "assignee", None) != user_id:
                    continue
                event = Event()
                event.add("uid", f"{appointment.getId()}-agenda@digitalebalie")
                event.add("dtstamp", datetime.now(UTC))
                event.add("dtstart", appointment.start.astimezone(tz))
                event.add("dtend", appointment.end.astimezone(tz))
                how = channels.get(appointment.channel, appointment.channel)
                event.add("summary", f"{product.Title()} ({how})")
                event.add("description", appointment.absolute_url())
                event.add("url", appointment.absolute_url())
                state = api.content.get_state(appointment)
                event.add("status", "CANCELLED" if state == "no_show" else "CONFIRMED")
                cal.add_component(event)
    invitations.add_timezone(cal, tz)
    return cal.to_ical()
