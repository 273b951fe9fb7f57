"""Text messages to the citizen: reminders, the video call soon, and, for a
citizen who gave only a mobile number, the confirmation, move and cancellation,
a payment request and the note on what happens next.

Short and plain (B1), in the language of the booking: the time, how it
happens ("video", "counter", "telephone") and the link. Queued in the outbox
within the transaction of the change, as mail is.
"""

from collective.digitalebalie import _
from collective.digitalebalie import settings
from collective.digitalebalie.booking import links
from collective.digitalebalie.booking import store
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.integrations import outbox
from collective.digitalebalie.integrations import sms
from collective.digitalebalie.settings import setting
from zope.i18n import translate


SMS_REMINDER = _(
    "${municipality}: reminder of your appointment on ${when} (${product}). "
    "Look, move or cancel: ${link}"
)
SMS_VIDEO_SOON = _(
    "${municipality}: your video appointment starts in ${minutes} minutes. "
    "Join here: ${link}"
)
SMS_BOOKED = _(
    "${municipality}: your appointment is on ${when}, ${how}${persons}. "
    "Your link (look, move or cancel): ${link}"
)
SMS_MOVED = _(
    "${municipality}: your appointment is moved to ${when}, ${how}${persons}. "
    "Use the link from your first text message."
)
SMS_CANCELLED = _(
    "${municipality}: your appointment on ${when} is cancelled. You can make a "
    "new appointment at any time."
)
SMS_PAYMENT = _("${municipality}: please pay ${amount} for: ${what}. Pay here: ${link}")
SMS_OUTCOME = _(
    "${municipality}: there is a message for you about your appointment of "
    "${when}: what happens next. Read it on your appointment page: ${link}"
)
SMS_OUTCOME_NO_LINK = _(
    "${municipality}: there is a message for you about your appointment of "
    "${when}: what happens next. Read it on your appointment page, with the "
    "link from your first text message."
)
SMS_PERSONS = _(", for ${persons} people")
HOW = {"video": _("by video"), "counter": _("at the counter"), "phone": _("by phone")}
SMS_WALK_IN_LEFT = _(
    "${municipality}: you have left the queue for ${product}, because your page "
    "was closed for more than 2 minutes. You are welcome to join again."
)


def translated(message, language, **mapping):
    if mapping:
        message = _(message, mapping=mapping)
    return translate(message, target_language=language)


def municipality():
    return setting("municipality_name", "Gemeente")


def sms_enabled():
    """Text messages are made when a gateway is set, or kept in the outbox (demo)."""
    return sms.gateway_name() != "none" or outbox.capture_only()


def queue_sms(appointment, kind, message):
    """Queue a text message to the citizen, if there is a number and SMS is on."""
    phone = getattr(appointment, "phone", None)
    if not phone or not sms_enabled():
        return None
    return outbox.queue_sms(phone, sms.sender(), message, kind)


def by_text_only(appointment):
    """True when the citizen gave a mobile number and no e-mail address."""
    return not getattr(appointment, "email", "") and bool(
        getattr(appointment, "phone", None)
    )


def masked_phone(number):
    """A Dutch mobile number as the page may show it: '06 •• •• 12 34'."""
    digits = (number or "").lstrip("+")
    if digits.startswith("31") and len(digits) == 11:
        national = "0" + digits[2:]
        return f"{national[:2]} •• •• {national[-4:-2]} {national[-2:]}"
    return f"+{digits[:2]} •• •• {digits[-4:-2]} {digits[-2:]}" if digits else ""


def _when(appointment, language):
    start = appointment.start.astimezone(settings.site_timezone())
    return f"{formatting.long_date(start.date(), language)} {formatting.clock(start)}"


def _details(appointment, language):
    persons = getattr(appointment, "persons", 1) or 1
    channel = getattr(appointment, "channel", None) or "video"
    return {
        "municipality": municipality(),
        "when": _when(appointment, language),
        "how": translated(HOW.get(channel, HOW["video"]), language),
        "persons": translated(SMS_PERSONS, language, persons=persons)
        if persons > 1
        else "",
    }


def booked(appointment, token):
    """The confirmation with the link, for a citizen without e-mail."""
    language = appointment.language or "nl"
    details = _details(appointment, language)
    text = translated(SMS_BOOKED, language, link=links.citizen_url(token), **details)
    return queue_sms(appointment, "confirmation", text)


def moved(appointment):
    language = appointment.language or "nl"
    text = translated(SMS_MOVED, language, **_details(appointment, language))
    return queue_sms(appointment, "moved", text)


def cancelled(appointment):
    language = appointment.language or "nl"
    text = translated(
        SMS_CANCELLED,
        language,
        municipality=municipality(),
        when=_when(appointment, language),
    )
    return queue_sms(appointment, "cancelled", text)


def reminder(appointment, token):
    language = appointment.language or "nl"
    product = store.product_of(appointment)
    return queue_sms(
        appointment,
        "reminder",
        translated(
            SMS_REMINDER,
            language,
            municipality=municipality(),
            when=_when(appointment, language),
            product=product.Title() if product else "",
            link=links.citizen_url(token),
        ),
    )


def video_soon(appointment, token):
    """A text message shortly before a video appointment, with the link to the room."""
    language = appointment.language or "nl"
    queue_sms(
        appointment,
        "video-soon",
        translated(
            SMS_VIDEO_SOON,
            language,
            municipality=municipality(),
            minutes=setting("video_sms_minutes", 10),
            link=links.citizen_url(token),
        ),
    )


def payment_requested(appointment, payment):
    """The pay link (the provider's checkout page) for a citizen without e-mail."""
    language = appointment.language or "nl"
    text = translated(
        SMS_PAYMENT,
        language,
        municipality=municipality(),
        amount=formatting.price(f"{payment['amount'] / 100:.2f}", language) or "",
        what=payment["description"],
        link=payment["checkout_url"],
    )
    return queue_sms(appointment, "payment", text)


def _page_link(appointment):
    """A new link to the appointment page while its links still work, else None.

    The first link cannot be repeated (only its hash is kept): as a reminder
    does, this mints another one and keeps its hash only.
    """
    if not links.links_work(appointment):
        return None
    return links.citizen_url(links.fresh_link(appointment))


def outcome(appointment):
    """After the conversation: there is a note on the appointment page.

    The note itself stays on the page (it may be long, and personal).
    """
    if not getattr(appointment, "phone", None) or not sms_enabled():
        return None
    language = appointment.language or "nl"
    link = _page_link(appointment)
    details = {"municipality": municipality(), "when": _when(appointment, language)}
    if link:
        text = translated(SMS_OUTCOME, language, link=link, **details)
    else:
        text = translated(SMS_OUTCOME_NO_LINK, language, **details)
    return queue_sms(appointment, "outcome", text)


def walk_in_left(phone, language, product):
    """A text message to a walk-in citizen who lost their place (only with a number)."""
    if not phone or not sms_enabled():
        return None
    text = translated(
        SMS_WALK_IN_LEFT,
        language or "nl",
        municipality=municipality(),
        product=product.Title(),
    )
    return outbox.queue_sms(phone, sms.sender(), text, "walk-in-left")
