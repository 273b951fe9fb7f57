"""How an appointment happens, in plain words, for the citizen's mail and calendar.

A video appointment says that it is a video call, from when the citizen can go
in, what they need, and (where the message carries the citizen's link) where to
test camera and microphone and where the call is. A telephone or counter
appointment says in one sentence how it happens.
"""

from collective.digitalebalie import _
from collective.digitalebalie import settings
from collective.digitalebalie.booking import links
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.video import rooms
from zope.i18n import translate


VIDEO = _("This is a video call. You see and hear the employee on your screen.")
OPENS = _("From ${time} you can go in.")
OPENS_ON = _("From ${time} on ${date} you can go in.")
NEEDS = _(
    "You need a phone, tablet or computer with a camera and microphone, "
    "and a quiet place."
)
TEST_NOW = _("Test your camera and microphone now:")
VIDEO_LINK = _(
    "Go to the video call with this link. Here you can also look at, move or "
    "cancel your appointment. Do not share it:"
)
PHONE_AT = _("This is a telephone call. We will call you at ${phone}.")
PHONE = _("This is a telephone call. We will call you.")
COUNTER = _("Come to the counter in the town hall.")
LOCATION_VIDEO = _("Video call")


def _t(message, language, **mapping):
    if mapping:
        message = _(message, mapping=mapping)
    return translate(message, target_language=language)


def opens_sentence(appointment, language):
    """'From 10:05 you can go in.' (with the day when it opens the day before)."""
    tz = settings.site_timezone()
    opens = rooms.window(appointment)[0].astimezone(tz)
    start = appointment.start.astimezone(tz)
    if opens.date() == start.date():
        return _t(OPENS, language, time=formatting.clock(opens))
    return _t(
        OPENS_ON,
        language,
        time=formatting.clock(opens),
        date=formatting.long_date(opens.date(), language),
    )


def how_lines(appointment, language, token=None, base=None):
    """The lines that say how the appointment happens ("" separates paragraphs).

    With ``token`` (the mail has the citizen's link) a video appointment gets
    the link to the device test; the appointment link itself is ``link_lines``.
    ``base``: the site's address for the links (default: this request's).
    """
    channel = getattr(appointment, "channel", None) or "video"
    if channel == "phone":
        phone = getattr(appointment, "phone", None)
        return [_t(PHONE_AT, language, phone=phone) if phone else _t(PHONE, language)]
    if channel == "counter":
        return [_t(COUNTER, language)]
    lines = [
        _t(VIDEO, language),
        opens_sentence(appointment, language),
        _t(NEEDS, language),
    ]
    if token:
        lines += ["", _t(TEST_NOW, language), links.device_test_url(token, base)]
    return lines


def link_sentence(appointment, language):
    """What the citizen's link is for, said before the link."""
    if (getattr(appointment, "channel", None) or "video") == "video":
        return _t(VIDEO_LINK, language)
    return _t(
        _("Look at, move or cancel your appointment with this link. Do not share it:"),
        language,
    )


def calendar_event(appointment, language, token=None, base=None):
    """{"description", "location", "url"} for the invitation's event.

    ``location`` and ``url`` are None where the event keeps none: a video
    appointment's location is its link (or "Video call" when the message has
    no link); telephone and counter appointments get a description only.
    """
    lines = [line for line in how_lines(appointment, language, token, base) if line]
    channel = getattr(appointment, "channel", None) or "video"
    location = url = None
    if channel == "video":
        if token:
            url = location = links.citizen_url(token, base)
            lines += [link_sentence(appointment, language), url]
        else:
            location = _t(LOCATION_VIDEO, language)
    return {"description": "\n".join(lines), "location": location, "url": url}
