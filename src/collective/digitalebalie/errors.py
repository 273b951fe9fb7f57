"""The errors a citizen or an employee can cause, and that the pages and the
REST services answer in words (``message``) with a status and a ``type``.

This module imports nothing of the add-on, so every other module can use it.
Errors that belong to one area (documents, payments, DigiD, video rooms) live
next to their code and subclass ``UserError``.
"""


class UserError(Exception):
    """Base of the user-facing errors; ``type`` names it in REST answers."""

    type = "BookingError"
    status = 400

    def __init__(self, message, fields=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


# The old name, used all over the add-on and in other code.
BookingError = UserError


class InvalidInput(UserError):
    type = "ValidationError"


class SlotUnavailable(UserError):
    type = "SlotUnavailable"
    status = 409


class NotFound(UserError):
    type = "NotFound"
    status = 404


class WrongState(UserError):
    type = "WrongState"
    status = 409


class NotBookable(UserError):
    type = "NotBookable"
    status = 409


class TooManyBookings(UserError):
    type = "TooManyBookings"
    status = 429


class Forbidden(UserError):
    type = "Forbidden"
    status = 403
