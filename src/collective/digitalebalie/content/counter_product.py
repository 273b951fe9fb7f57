"""A counter product: a service of the municipality a citizen can book."""

from collective.digitalebalie import _
from decimal import Decimal
from decimal import InvalidOperation
from plone.dexterity.content import Item
from plone.supermodel import model
from zope import schema
from zope.interface import Invalid
from zope.interface import implementer


def validate_price(value):
    """A price in euros, written as a decimal string such as "24.50"."""
    if not value:
        return True
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise Invalid(
            _("Write the price as an amount in euros, for example 24.50.")
        ) from None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
        raise Invalid(_("Write the price as an amount in euros, for example 24.50."))
    return True


class ICounterProduct(model.Schema):
    """Schema of a counter product."""

    duration = schema.Int(
        title=_("Duration (minutes)"),
        description=_("How long one appointment takes, from 5 to 480 minutes."),
        min=5,
        max=480,
        default=15,
        required=True,
    )

    price = schema.TextLine(
        title=_("Price (euros)"),
        description=_("Leave empty when the service is free. Example: 24.50"),
        required=False,
        constraint=validate_price,
    )


@implementer(ICounterProduct)
class CounterProduct(Item):
    """A counter product."""
