"""Messages to the citizen about their appointment: e-mail with an iCalendar invitation.

Each message goes into the outbox within the transaction of the change, in the
language of the booking. The invitation keeps one UID per appointment and a
rising SEQUENCE, so calendar programs update or remove the event they have.
The confirmation and the "moved" mail go in as an order (``outbox.queue_later``):
the delivery job composes them (``compose_queued``), which takes the MIME and
iCalendar work out of the citizen's request; a cancellation is composed at
once, so it still goes when the appointment is deleted right after.

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
from collective.digitalebalie.integrations import invitations
from collective.digitalebalie.integrations import outbox
from collective.digitalebalie.integrations import texts
from collective.digitalebalie.masking import MASK
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr
from email.utils import make_msgid
from html import escape
from plone import api


LABEL_FOR = _("For")
LABEL_WHEN = _("When")
LABEL_BRING = _("What to bring or upload")
LABEL_NOTE = _("Message from the counter employee")
COMPOSER = "appointment"  # the name of compose_queued as an outbox.IComposer


_t = texts.translated
_municipality = texts.municipality
# Text messages live in texts.py; these names stay for their callers.
sms_enabled = texts.sms_enabled
queue_sms = texts.queue_sms
video_soon = texts.video_soon
walk_in_left = texts.walk_in_left


def _recipient(appointment, address=None):
    # An Address object: the name is never parsed as a header, so it cannot
    # add a recipient; the outbox sends to the stored address alone.
    return Address(
        display_name=appointment.fullname or "",
        addr_spec=address or appointment.email,
    )


def _sender():
    name = api.portal.get_registry_record("plone.email_from_name", default="")
    return formataddr((name or _municipality(), invitations.sender_address()))


SUBJECTS = {
    "confirmation": _("Your appointment on ${when}"),
    "moved": _("Your appointment is moved to ${when}"),
    "cancelled": _("Your appointment on ${when} is cancelled"),
    "reminder": _("Reminder: your appointment on ${when}"),
}


def _when(appointment, language):
    tz = settings.site_timezone()
    start = appointment.start.astimezone(tz)
    end = appointment.end.astimezone(tz)
    return (
        f"{formatting.long_date(start.date(), language)}, "
        f"{formatting.clock(start)} – {formatting.clock(end)}"
    )


def _subject(appointment, kind):
    language = appointment.language or "nl"
    return _t(SUBJECTS[kind], language, when=_when(appointment, language))


def _compose(appointment, kind, token=None, base=None, to=None, sequence=None):
    """The mail of ``kind``; ``base`` the site's address for links, ``to`` the
    address (default: the appointment's), ``sequence`` the invitation's."""
    language = appointment.language or "nl"
    product = store.product_of(appointment)
    when = _when(appointment, language)
    title = product.Title() if product else ""
    intros = {
        "reminder": _("This is a reminder of your appointment."),
        "confirmation": _("Thank you. Your appointment is made."),
        "moved": _("Your appointment has been moved to the new time."),
        "cancelled": _(
            "Your appointment is cancelled. You can make a new appointment at any time."
        ),
    }
    subject = _t(SUBJECTS[kind], language, when=when)
    lines = [
        _t(_("Dear ${name},"), language, name=appointment.fullname),
        "",
        _t(intros[kind], language),
        "",
        f"{_t(LABEL_FOR, language)}: {title}",
        f"{_t(LABEL_WHEN, language)}: {when}",
    ]
    persons = invitations.persons_line(appointment, language)
    if persons:
        lines.append(persons)
    if kind != "cancelled":
        lines += ["", *explain.how_lines(appointment, language, token, base)]
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
            link = links.citizen_url(token, base)
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
    message["To"] = _recipient(appointment, to)
    message["Message-ID"] = make_msgid(domain="digitalebalie")
    message["Content-Language"] = language
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    method = "CANCEL" if kind == "cancelled" else "REQUEST"
    ical = invitations.invitation(appointment, product, method, token, base, sequence)
    invitations.add_invitation(message, ical, method)
    return message


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
    queue_composed_later(appointment, "confirmation", token)


def queue_composed_later(appointment, kind, token=None):
    """Queue the mail of ``kind`` as an order for the delivery job (see
    ``compose_queued``): the appointment, the invitation's SEQUENCE now, the
    site's address as the citizen reached it (the job may use an internal
    one) and the link's token sealed. Composed now when it cannot be sealed."""
    sealed = links.seal(token) if token else None
    if token and sealed is None:
        return outbox.queue(
            _compose(appointment, kind, token), kind, to=appointment.email
        )
    return outbox.queue_later(
        appointment.email,
        _sender(),
        _subject(appointment, kind),
        kind,
        COMPOSER,
        appointment=appointment.getId(),
        sequence=getattr(appointment, "ics_sequence", 0),
        base=links.portal_url(),
        token=sealed,
    )


def compose_queued(item, details, preview=False):
    """The mail of an order from ``queue_composed_later`` (an outbox.IComposer).

    The appointment as it is now (a move since is in it: its own mail follows),
    with the SEQUENCE it had when queued. ``preview``: the links' tokens masked.
    """
    appointment = store.appointments_folder()._getOb(details["appointment"], None)
    if appointment is None:
        raise outbox.CannotCompose("the appointment no longer exists")
    token = None
    if details.get("token"):
        token = MASK if preview else links.unseal(details["token"])
        if token is None:
            # Sealed with an identity key the site no longer has: a new link.
            token = links.fresh_link(appointment)
    return _compose(
        appointment,
        item.kind,
        token,
        base=details.get("base"),
        to=item.mto,
        sequence=details.get("sequence"),
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
    queue_composed_later(appointment, "moved")


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
