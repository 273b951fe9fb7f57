"""The message that an earlier time is free, with the link that moves the appointment.

By e-mail; by text message when the citizen gave only a phone number.
"""

from collective.digitalebalie import _
from collective.digitalebalie import settings
from collective.digitalebalie.booking import links
from collective.digitalebalie.booking import store
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.integrations import notifications
from zope.i18n import translate


SMS_EARLIER = _(
    "${municipality}: an earlier time is free for your appointment: ${when}. "
    "Move to it in one step: ${link}"
)


def _t(message, language, **mapping):
    if mapping:
        message = _(message, mapping=mapping)
    return translate(message, target_language=language)


def _when(moment, language):
    local = moment.astimezone(settings.site_timezone())
    return f"{formatting.long_date(local.date(), language)}, {formatting.clock(local)}"


def earlier_free(appointment, token, start):
    """An earlier time is free: the link moves the appointment there."""
    language = appointment.language or "nl"
    product = store.product_of(appointment)
    new = _when(start, language)
    link = links.earlier_url(token)
    municipality = notifications.municipality()
    if not getattr(appointment, "email", None):
        text = _t(SMS_EARLIER, language, municipality=municipality, when=new, link=link)
        notifications.queue_sms(appointment, "earlier", text)
        return
    lines = [
        _t(_("Dear ${name},"), language, name=appointment.fullname),
        "",
        _t(_("An earlier time is free for your appointment."), language),
        "",
        f"{_t(notifications.LABEL_FOR, language)}: {product.Title() if product else ''}",
        f"{_t(_('Your time now'), language)}: {_when(appointment.start, language)}",
        f"{_t(_('Earlier time'), language)}: {new}",
        "",
        _t(
            _(
                "Do you want this time? With this link you move your appointment "
                "in one step. Others may get this message too: the link works "
                "until the time is taken."
            ),
            language,
        ),
        link,
        "",
        _t(
            _(
                "Do you no longer want these messages? Switch them off on your "
                "appointment page, with the link from your first e-mail."
            ),
            language,
        ),
        "",
        municipality,
    ]
    subject = _t(_("An earlier time is free: ${when}"), language, when=new)
    notifications.plain_mail(appointment, "earlier", subject, lines)
