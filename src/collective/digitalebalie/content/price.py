"""The counter product's price: euros as a decimal string ("24.50")."""

from collective.digitalebalie import _
from decimal import Decimal
from decimal import InvalidOperation
from zope import schema
from zope.interface import implementer
from zope.schema.interfaces import ITextLine


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


class IPriceLine(ITextLine):
    """A price in euros; the edit form reads "75,50" and "€ 75,50" too."""


@implementer(IPriceLine)
class PriceLine(schema.TextLine):
    pass
