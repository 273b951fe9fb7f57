"""Messages to the citizen about their appointment: e-mail with an iCalendar invitation.

Each message goes into the outbox within the transaction of the change, in the
language of the booking. The invitation keeps one UID per appointment and a
rising SEQUENCE, so calendar programs update or remove the event they have.

An invitation mail is built as iMIP (RFC 6047) and as Outlook reads it
([MS-OXCMAIL] 2.1.3.3.8, [MS-STANOICAL]): multipart/mixed[multipart/alternative[
text/plain, text/html, text/calendar; method=…; charset=UTF-8], application/ics
(invite.ics)]. Outlook takes the invitation only from the text/calendar
alternative of the body; the attachment is for programs that only look there.
"""

from collective.digitalebalie import _
from collective.digitalebalie import limits
from collective.digitalebalie import settings
from collective.digitalebalie.booking import links
from collective.digitalebalie.booking import store
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.integrations import explain
from collective.digitalebalie.integrations import outbox
from collective.digitalebalie.integrations import texts
from collective.digitalebalie.integrations import vtimezone
from datetime import UTC
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr
from email.utils import make_msgid
from html import escape
from icalendar import Calendar
from icalendar import Event
from icalendar import vCalAddress
from plone import api
import functools


LABEL_FOR = _("For")
LABEL_WHEN = _("When")
LABEL_BRING = _("What to bring or upload")
LABEL_NOTE = _("Message from the counter employee")
LABEL_PERSONS = _("Number of people")


def persons_line(appointment, language):
    """'Number of people: 3' for a household's appointment, else None."""
    persons = getattr(appointment, "persons", 1) or 1
    return f"{_t(LABEL_PERSONS, language)}: {persons}" if persons > 1 else None


_t = texts.translated
_municipality = texts.municipality
# Text messages live in texts.py; these names stay for their callers.
sms_enabled = texts.sms_enabled
queue_sms = texts.queue_sms
video_soon = texts.video_soon
walk_in_left = texts.walk_in_left


def _recipient(appointment):
    # An Address object: the name is never parsed as a header, so it cannot
    # add a recipient; the outbox sends to the stored address alone.
    return Address(display_name=appointment.fullname or "", addr_spec=appointment.email)


def _sender_address():
    address = api.portal.get_registry_record("plone.email_from_address", default="")
    return address or "noreply@example.org"


def _sender():
    name = api.portal.get_registry_record("plone.email_from_name", default="")
    return formataddr((name or _municipality(), _sender_address()))


@functools.lru_cache(maxsize=8)
def _vtimezone(tzid, year):
    """The VTIMEZONE of tzid with yearly rules, made once per zone and year."""
    return vtimezone.build(tzid, year)


def add_timezone(calendar, tz):
    """Put the VTIMEZONE of tz first in the calendar, as calendar programs expect."""
    calendar.subcomponents.insert(0, _vtimezone(tz.key, datetime.now(UTC).year))


def invitation(appointment, product, method, token=None):
    """An iCalendar object (METHOD REQUEST or CANCEL) with the site's VTIMEZONE.

    The event says how the appointment happens (DESCRIPTION); a video
    appointment's link (when the message has the token) is its URL and LOCATION.
    """
    tz = settings.site_timezone()
    calendar = Calendar()
    calendar.add("prodid", "-//collective.digitalebalie//Digitale Balie//NL")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"{appointment.getId()}@digitalebalie")
    event.add("sequence", getattr(appointment, "ics_sequence", 0))
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", appointment.start.astimezone(tz))
    event.add("dtend", appointment.end.astimezone(tz))
    event.add("summary", f"{_municipality()}: {product.Title() if product else ''}")
    # RFC 5546: the municipality (the mail's sender, RFC 6047 §3) organises;
    # the citizen booked it, so they have accepted and need not answer.
    # icalendar quotes the names by RFC 5545 §3.2 and RFC 6868 (a comma, a quote).
    organizer = vCalAddress(f"mailto:{_sender_address()}")
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
        how = explain.calendar_event(appointment, language, token)
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


def _compose(appointment, kind, token=None):
    language = appointment.language or "nl"
    product = store.product_of(appointment)
    tz = settings.site_timezone()
    start = appointment.start.astimezone(tz)
    end = appointment.end.astimezone(tz)
    when = (
        f"{formatting.long_date(start.date(), language)}, "
        f"{formatting.clock(start)} – {formatting.clock(end)}"
    )
    title = product.Title() if product else ""
    subjects = {
        "confirmation": _("Your appointment on ${when}"),
        "moved": _("Your appointment is moved to ${when}"),
        "cancelled": _("Your appointment on ${when} is cancelled"),
        "reminder": _("Reminder: your appointment on ${when}"),
    }
    intros = {
        "reminder": _("This is a reminder of your appointment."),
        "confirmation": _("Thank you. Your appointment is made."),
        "moved": _("Your appointment has been moved to the new time."),
        "cancelled": _(
            "Your appointment is cancelled. You can make a new appointment at any time."
        ),
    }
    subject = _t(subjects[kind], language, when=when)
    lines = [
        _t(_("Dear ${name},"), language, name=appointment.fullname),
        "",
        _t(intros[kind], language),
        "",
        f"{_t(LABEL_FOR, language)}: {title}",
        f"{_t(LABEL_WHEN, language)}: {when}",
    ]
    if persons_line(appointment, language):
        lines.append(persons_line(appointment, language))
    if kind != "cancelled":
        lines += ["", *explain.how_lines(appointment, language, token)]
    note = getattr(appointment, "cancel_message", "") if kind == "cancelled" else ""
    if note:
        lines += ["", _t(LABEL_NOTE, language) + ":", *note.splitlines()]
    if kind != "cancelled":
        documents = (
            (getattr(product, "required_documents", None) or []) if product else []
        )
        if documents:
            lines += ["", _t(LABEL_BRING, language) + ":"]
            lines += [f"- {row.get('document', '')}" for row in documents]
        if token:
            link = links.citizen_url(token)
            lines += ["", explain.link_sentence(appointment, language), link]
        else:
            lines += [
                "",
                _t(
                    _(
                        "Use the link from your first e-mail to look at, move or cancel it."
                    ),
                    language,
                ),
            ]
    lines += ["", _municipality()]
    text = "\n".join(lines)
    html = (
        "<html><body>"
        + "".join(
            f'<p><a href="{escape(line)}">{escape(line)}</a></p>'
            if line.startswith("http")
            else (f"<p>{escape(line)}</p>" if line else "")
            for line in lines
        )
        + "</body></html>"
    )

    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = _sender()
    message["To"] = _recipient(appointment)
    message["Message-ID"] = make_msgid(domain="digitalebalie")
    message["Content-Language"] = language
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    method = "CANCEL" if kind == "cancelled" else "REQUEST"
    add_invitation(message, invitation(appointment, product, method, token), method)
    return message


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


def booked(appointment, token):
    appointment.ics_sequence = 0
    # No e-mail address: the link and the confirmation go by text message.
    by_text = texts.by_text_only(appointment)
    recipient = appointment.phone if by_text else appointment.email
    today = settings.now_utc().astimezone(settings.site_timezone()).date()
    # A booking by counter staff always confirms; the citizen asked for it.
    # Text messages cost money: a number gets as few confirmations a day as an address.
    if not appointment.booked_by and not limits.confirmation_allowed(recipient, today):
        # The booking stands; the outbox notes (without the link) why nothing went.
        item = outbox.withhold(
            recipient,
            texts.sms.sender() if by_text else _sender(),
            "confirmation",
            limits.confirmations_per_day(),
        )
        if by_text:
            item.channel = "sms"
        return
    if by_text:
        texts.booked(appointment, token)
        return
    outbox.queue(
        _compose(appointment, "confirmation", token),
        "confirmation",
        to=appointment.email,
    )


def payment_requested(appointment, payment):
    """A mail with the pay link (the provider's page; no secret of ours in it).

    Without e-mail: a text message. Returns how it went: "mail", "sms", or
    None (nothing sent; the request is on the appointment page).
    """
    if not appointment.email:
        return "sms" if texts.payment_requested(appointment, payment) else None
    language = appointment.language or "nl"
    amount = formatting.price(f"{payment['amount'] / 100:.2f}", language) or ""
    lines = [
        _t(_("Dear ${name},"), language, name=appointment.fullname),
        "",
        _t(
            _("Please pay ${amount} for: ${what}."),
            language,
            amount=amount,
            what=payment["description"],
        ),
        "",
        payment["checkout_url"],
        "",
        _municipality(),
    ]
    message = EmailMessage()
    message["Subject"] = _t(_("Payment of ${amount}"), language, amount=amount)
    message["From"] = _sender()
    message["To"] = _recipient(appointment)
    message["Message-ID"] = make_msgid(domain="digitalebalie")
    message["Content-Language"] = language
    message.set_content("\n".join(lines))
    outbox.queue(message, "payment", to=appointment.email)
    return "mail"


def outcome(appointment, note):
    """After the conversation: what happens next, as the employee typed it.

    Without e-mail: a text message that the note is on the appointment page.
    Returns "mail", "sms" or None (on the appointment page only).
    """
    if not appointment.email:
        return "sms" if texts.outcome(appointment) else None
    language = appointment.language or "nl"
    product = store.product_of(appointment)
    start = appointment.start.astimezone(settings.site_timezone())
    when = f"{formatting.long_date(start.date(), language)}, {formatting.clock(start)}"
    lines = [
        _t(_("Dear ${name},"), language, name=appointment.fullname),
        "",
        _t(_("Thank you for the conversation."), language),
        "",
        f"{_t(LABEL_FOR, language)}: {product.Title() if product else ''}",
        f"{_t(LABEL_WHEN, language)}: {when}",
        "",
        _t(_("What happens next"), language) + ":",
        *note.splitlines(),
        "",
        _t(
            _(
                "You can also read this on your appointment page, with the link "
                "from your first e-mail."
            ),
            language,
        ),
        "",
        _municipality(),
    ]
    message = EmailMessage()
    message["Subject"] = _t(_("What happens next after your appointment"), language)
    message["From"] = _sender()
    message["To"] = _recipient(appointment)
    message["Message-ID"] = make_msgid(domain="digitalebalie")
    message["Content-Language"] = language
    message.set_content("\n".join(lines))
    outbox.queue(message, "outcome", to=appointment.email)
    return "mail"


def reminder(appointment, token):
    """A reminder with a fresh link (and the invitation, unchanged); and a text message."""
    if appointment.email:
        outbox.queue(
            _compose(appointment, "reminder", token), "reminder", to=appointment.email
        )
    texts.reminder(appointment, token)


def moved(appointment):
    appointment.ics_sequence = getattr(appointment, "ics_sequence", 0) + 1
    if texts.by_text_only(appointment):
        texts.moved(appointment)
        return
    outbox.queue(_compose(appointment, "moved"), "moved", to=appointment.email)


def cancelled(appointment):
    appointment.ics_sequence = getattr(appointment, "ics_sequence", 0) + 1
    if texts.by_text_only(appointment):
        texts.cancelled(appointment)
        return
    outbox.queue(_compose(appointment, "cancelled"), "cancelled", to=appointment.email)


def plain_mail(appointment, kind, subject, lines):
    """A mail of text lines to the citizen (no invitation), into the outbox."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = _sender()
    message["To"] = _recipient(appointment)
    message["Message-ID"] = make_msgid(domain="digitalebalie")
    message["Content-Language"] = appointment.language or "nl"
    message.set_content("\n".join(lines))
    outbox.queue(message, kind, to=appointment.email)


def municipality():
    return _municipality()


def appointment_booked(appointment, event):
    booked(appointment, event.token)


def appointment_moved(appointment, event):
    moved(appointment)
