"""The tables of a counter product's form (their rows) and the checks of its fields.

Apart from content/counter_product.py, which imports these names from here.
"""

from collective.digitalebalie import _
from decimal import Decimal
from decimal import InvalidOperation
from plone.supermodel import model
from zope import schema
from zope.globalrequest import getRequest
from zope.i18n import translate
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


WEEKDAYS = SimpleVocabulary(
    [
        SimpleTerm(0, "0", _("Monday")),
        SimpleTerm(1, "1", _("Tuesday")),
        SimpleTerm(2, "2", _("Wednesday")),
        SimpleTerm(3, "3", _("Thursday")),
        SimpleTerm(4, "4", _("Friday")),
        SimpleTerm(5, "5", _("Saturday")),
        SimpleTerm(6, "6", _("Sunday")),
    ]
)

RULE_MESSAGES = {
    "weekday": _("Row ${row}: choose a day of the week."),
    "time_format": _(
        "Row ${row}: write the times as hours:minutes, for example 09:00."
    ),
    "end_before_start": _(
        "Row ${row}: the closing time must be after the opening time."
    ),
    "counters": _("Row ${row}: there must be at least 1 counter."),
    "overlap": _("Row ${row}: this period overlaps another period on the same day."),
    "date_format": _(
        "Row ${row}: write the dates as year-month-day, for example 2026-12-24."
    ),
    "closure_order": _("Row ${row}: the last day is before the first day."),
}


def rule_message(error, label):
    """One translated sentence for every problem of a RuleError."""
    request = getRequest()
    label = translate(label, context=request)
    problems = [
        translate(_(RULE_MESSAGES[code], mapping={"row": row}), context=request)
        for row, code, _message in error.errors
    ]
    return f"{label}: {' '.join(problems)}"


class InvalidPrice(schema.ValidationError):
    __doc__ = _("Write the price as an amount in euros, for example 24.50.")


def validate_price(value):
    """A price in euros, written as a decimal string such as "24.50"."""
    if not value:
        return True
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = None
    if (
        amount is None
        or not amount.is_finite()
        or amount < 0
        or amount.as_tuple().exponent < -2
    ):
        raise InvalidPrice(value)
    return True


class IOpeningHoursRow(model.Schema):
    weekday = schema.Choice(title=_("Day"), vocabulary=WEEKDAYS, required=True)
    start = schema.TextLine(
        title=_("Opens"), description=_("For example 09:00"), required=True
    )
    end = schema.TextLine(
        title=_("Closes"), description=_("For example 17:00"), required=True
    )
    counters = schema.Int(
        title=_("Counters"),
        description=_("How many appointments can take place at the same time."),
        default=1,
        required=True,
    )


class IWalkInHoursRow(model.Schema):
    weekday = schema.Choice(title=_("Day"), vocabulary=WEEKDAYS, required=True)
    start = schema.TextLine(
        title=_("From"), description=_("For example 09:00"), required=True
    )
    end = schema.TextLine(
        title=_("Until"), description=_("For example 12:00"), required=True
    )


class IClosureRow(model.Schema):
    start = schema.Date(title=_("First day"), required=True)
    end = schema.Date(title=_("Last day"), required=True)
    reason = schema.TextLine(title=_("Reason"), required=False, default="")


class IRequiredDocumentRow(model.Schema):
    document = schema.TextLine(title=_("Document"), required=True)
    explanation = schema.TextLine(title=_("Explanation"), required=False, default="")


class IFaqRow(model.Schema):
    question = schema.TextLine(title=_("Question"), required=True)
    answer = schema.Text(title=_("Answer"), required=True)
