"""The iCalendar invitation of an appointment's mail (iMIP, RFC 6047).

One UID per appointment and a rising SEQUENCE, so calendar programs update or
remove the event they have; the site's VTIMEZONE first. The mail itself is
made in ``notifications``.
"""

from collective.digitalebalie import _
from collective.digitalebalie import settings
from collective.digitalebalie.integrations import explain
from collective.digitalebalie.integrations import texts
from collective.digitalebalie.integrations import vtimezone
from datetime import UTC
from datetime import datetime
from icalendar import Calendar
from icalendar import Event
from icalendar import vCalAddress
from plone import api
import functools


LABEL_PERSONS = _("Number of people")
_t = texts.translated
_municipality = texts.municipality


def persons_line(appointment, language):
    """'Number of people: 3' for a household's appointment, else None."""
    persons = getattr(appointment, "persons", 1) or 1
    return f"{_t(LABEL_PERSONS, language)}: {persons}" if persons > 1 else None


def sender_address():
    address = api.portal.get_registry_record("plone.email_from_address", default="")
    return address or "noreply@example.org"


@functools.lru_cache(maxsize=8)
def _vtimezone(tzid, year):
    """The VTIMEZONE of tzid with yearly rules, made once per zone and year."""
    return vtimezone.build(tzid, year)


def add_timezone(calendar, tz):
    """Put the VTIMEZONE of tz first in the calendar, as calendar programs expect."""
    calendar.subcomponents.insert(0, _vtimezone(tz.key, datetime.now(UTC).year))


def invitation(appointment, product, method, token=None, base=None, sequence=None):
    """An iCalendar object (METHOD REQUEST or CANCEL) with the site's VTIMEZONE.

    The event says how the appointment happens (DESCRIPTION); a video
    appointment's link (when the message has the token) is its URL and LOCATION.
    ``base``: the site's address for links; ``sequence``: the SEQUENCE (default:
    the appointment's now).
    """
    tz = settings.site_timezone()
    calendar = Calendar()
    calendar.add("prodid", "-//collective.digitalebalie//Digitale Balie//NL")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"{appointment.getId()}@digitalebalie")
    if sequence is None:
        sequence = getattr(appointment, "ics_sequence", 0)
    event.add("sequence", sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", appointment.start.astimezone(tz))
    event.add("dtend", appointment.end.astimezone(tz))
    event.add("summary", f"{_municipality()}: {product.Title() if product else ''}")
    # RFC 5546: the municipality (the mail's sender, RFC 6047 §3) organises;
    # the citizen booked it, so they have accepted and need not answer.
    # icalendar quotes the names by RFC 5545 §3.2 and RFC 6868 (a comma, a quote).
    organizer = vCalAddress(f"mailto:{sender_address()}")
    organizer.params["CN"] = _municipality()
    event.add("organizer", organizer)
    if appointment.email:  # a citizen with only a mobile number has no address
        attendee = vCalAddress(f"mailto:{appointment.email}")
        if appointment.fullname:
            attendee.params["CN"] = appointment.fullname
        attendee.params["CUTYPE"] = "INDIVIDUAL"
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = "ACCEPTED"
        attendee.params["RSVP"] = "FALSE"
        event.add("attendee", attendee)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if method != "CANCEL":
        language = appointment.language or "nl"
        how = explain.calendar_event(appointment, language, token, base)
        persons = persons_line(appointment, language)
        description = how["description"]
        event.add(
            "description", f"{persons}\n{description}" if persons else description
        )
        if how["location"]:
            event.add("location", how["location"])
        if how["url"]:
            event.add("url", how["url"])
    calendar.add_component(event)
    add_timezone(calendar, tz)
    return calendar.to_ical()


def add_invitation(message, ical, method):
    """Add the calendar inline (a third alternative) and as invite.ics attachment.

    RFC 6047 §2.4: the part's ``method`` is the calendar's METHOD; RFC 5545
    §3.1.4: its charset is UTF-8. Base64 keeps the calendar's CRLF lines and
    its non-ASCII names intact on every mail route ([MS-OXCMAIL] allows it).
    """
    # As bytes: the calendar's CRLF line ends (RFC 5545 §3.1) stay as they are.
    message.add_alternative(
        ical,
        maintype="text",
        subtype="calendar",
        cte="base64",
        params={"method": method, "charset": "UTF-8"},
    )
    message.add_attachment(
        ical,
        maintype="application",
        subtype="ics",
        filename="invite.ics",
        params={"name": "invite.ics"},
    )
