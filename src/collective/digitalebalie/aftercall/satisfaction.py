"""One satisfaction question after a completed appointment, counted per product.

The answers are kept on the product, without personal data: a count per score
(1-5) and each comment as (date, score, text). No time of day, no appointment,
no name; the appointment keeps only that it was answered, so the citizen can
answer once.

Answers about different appointments of one product may commit at the same
moment: the counts are ``BTrees.Length`` objects and the comments an OOBTree
with random keys, whose conflicts ZODB resolves (merges) instead of making one
of the two requests start again.
"""

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import settings
from collective.digitalebalie import validation
from collective.digitalebalie.booking import store
from collective.digitalebalie.booking.events import SatisfactionAnswered
from collective.digitalebalie.storage import annotation
from persistent import Persistent
from plone import api
from zope.annotation.interfaces import IAnnotations
from zope.event import notify
import secrets


KEY = "collective.digitalebalie.satisfaction"
SCORES = (1, 2, 3, 4, 5)
MAX_COMMENT = 1000
LATEST = 50  # comments a summary lists, newest first
LABELS = {
    1: _("1 – very dissatisfied"),
    2: _("2 – dissatisfied"),
    3: _("3 – neutral"),
    4: _("4 – satisfied"),
    5: _("5 – very satisfied"),
}


class AlreadyAnswered(errors.UserError):
    type = "AlreadyAnswered"
    status = 409


class Answers(Persistent):
    """The answers about one product. Changed only through its parts, never
    itself after it is made, so two answers never write the same object
    (except a count both add to, which Length merges)."""

    def __init__(self):
        self.counts = {score: Length() for score in SCORES}
        # "YYYY-MM-DD/random" -> (date, score, text): by date, and within a
        # day in no order that tells which appointment it was. Tuples: ZODB
        # merges two inserts only when it can compare the values (not dicts).
        self.comments = OOBTree()

    def add(self, day, score, comment):
        self.counts[score].change(1)
        if comment:
            key = f"{day.isoformat()}/{secrets.token_hex(8)}"
            self.comments[key] = (day.isoformat(), score, comment)


def answers(product, create=False):
    if create:
        return annotation(product, KEY, Answers)
    return IAnnotations(product).get(KEY)


def given(appointment):
    return bool(getattr(appointment, "satisfaction_given", False))


def may_answer(appointment):
    return api.content.get_state(appointment) == "completed" and not given(appointment)


def clean_score(value):
    """A score 1-5: a number, or its digit as text (what a form sends)."""
    if isinstance(value, str) and value.strip() in {str(s) for s in SCORES}:
        return int(value)
    # bool is an int in Python, but true is no score.
    if not isinstance(value, int) or isinstance(value, bool) or value not in SCORES:
        message = _("Choose one of the answers, from 1 to 5.")
        raise errors.InvalidInput(message, {"score": message})
    return value


def clean_comment(value):
    if value is None:
        return ""
    if not isinstance(value, str):
        message = _("Send the comment as text.")
        raise errors.InvalidInput(message, {"comment": message})
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    message = None
    if not validation.is_clean_text(value.replace("\n", "").replace("\t", "")):
        message = _("The text holds characters that are not allowed.")
    elif len(value) > MAX_COMMENT:
        message = _("Use at most ${max} characters.", mapping={"max": MAX_COMMENT})
    if message is not None:
        raise errors.InvalidInput(message, {"comment": message})
    return value


def answer(appointment, score, comment=None, today=None):
    """Keep the citizen's answer about a completed appointment; once."""
    score = clean_score(score)
    comment = clean_comment(comment)
    if api.content.get_state(appointment) != "completed":
        raise errors.WrongState(
            _("You can answer this question after the conversation.")
        )
    if given(appointment):
        raise AlreadyAnswered(_("You have already answered this question. Thank you."))
    product = store.product_of(appointment)
    if product is None:
        raise errors.WrongState(_("This question can no longer be answered."))
    day = today or settings.now_utc().astimezone(settings.site_timezone()).date()
    # Two answers about this appointment at once both write it: ZODB lets one
    # commit, the other starts again and finds it answered.
    appointment.satisfaction_given = True
    answers(product, create=True).add(day, score, comment)
    # The statistics count it by day, product and team (never by appointment).
    notify(SatisfactionAnswered(appointment, day, score))


def handle_satisfaction_form(appointment, form):
    """The citizen's form without JavaScript: fields ``score`` and ``comment``.

    Raises a UserError (with ``fields``) the page shows next to the controls.
    """
    try:
        text = validation.one_value(form, "score")
        comment = validation.one_value(form, "comment")
    except validation.Refused as error:
        raise errors.InvalidInput(error.message, {error.field: error.message}) from None
    answer(appointment, text, comment)


def summary(product):
    """{"count", "mean", "distribution": {1: n, ..., 5: n}} of the product's answers."""
    found = answers(product)
    distribution = {
        score: (found.counts[score]() if found is not None else 0) for score in SCORES
    }
    count = sum(distribution.values())
    total = sum(score * n for score, n in distribution.items())
    return {
        "count": count,
        "mean": round(total / count, 2) if count else None,
        "distribution": distribution,
    }


def latest_comments(product, limit=LATEST):
    """The newest comments first: [{"date", "score", "comment"}]."""
    found = answers(product)
    if found is None:
        return []
    records = list(found.comments.values())
    return [
        {"date": day, "score": score, "comment": text}
        for day, score, text in records[::-1][:limit]
    ]


def forget(product):
    """A copied product starts without the original's answers."""
    IAnnotations(product).pop(KEY, None)


def product_copied(product, event):
    forget(product)
