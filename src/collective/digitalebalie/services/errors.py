"""One shape for every error answer: {"error": {"type", "message", "fields"?}}."""

from zope.i18n import translate
import transaction


def error_body(request, status, type_, message, fields=None):
    # Bad input changes nothing: the publisher aborts a doomed transaction.
    transaction.doom()
    request.response.setStatus(status)
    error = {"type": type_, "message": translate(message, context=request)}
    if fields:
        error["fields"] = {
            name: translate(text, context=request) for name, text in fields.items()
        }
    return {"error": error}


def booking_error(request, error):
    """The answer for a BookingError raised by the domain code."""
    body = error_body(request, error.status, error.type, error.message, error.fields)
    challenge = getattr(error, "challenge", None)
    if challenge is not None:
        # ChallengeRequired: the ALTCHA challenge to solve, for REST clients too.
        body["error"]["challenge"] = challenge
    # More facts of the refusal (QueueClosed: when it opens), JSON already.
    body["error"].update(getattr(error, "extra", None) or {})
    return body
