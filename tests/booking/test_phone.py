"""Phone numbers are stored in E.164, so an SMS gateway can use them."""

from collective.digitalebalie.appointments import e164
import pytest


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("06 12345678", "+31612345678"),
        ("06-12345678", "+31612345678"),
        ("010 123 4567", "+31101234567"),
        ("+31 6 12345678", "+31612345678"),
        ("+31 (0)6 12345678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("+32 470 12 34 56", "+32470123456"),
    ],
)
def test_normalised(typed, stored):
    assert e164(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["call me", "0612", "06 1234 5678 9", "12345678", "+1+2345678", "+0000000000"],
)
def test_refused(typed):
    assert e164(typed) is None
