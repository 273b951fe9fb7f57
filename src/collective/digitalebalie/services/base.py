"""Pieces the services share: the base service, JSON bodies, token paths."""

from collective.digitalebalie import _
from collective.digitalebalie.errors import InvalidInput
from collective.digitalebalie.errors import UserError
from collective.digitalebalie.services.errors import booking_error
from collective.digitalebalie.services.guard import media_type
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.deserializer import json_body
from plone.restapi.exceptions import DeserializationError
from plone.restapi.services import Service as RestapiService
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse
import json


def json_object(request):
    """The request's JSON body if it is an object, else None."""
    try:
        data = json_body(request)
    except (DeserializationError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


class Service(RestapiService):
    """A plone.restapi service that answers the add-on's user errors.

    A ``UserError`` raised by ``reply`` (the domain code's, or the service's
    own) becomes the JSON error body with its status, and the transaction is
    doomed (see services/errors.py): no service repeats that ``except``.
    """

    def render(self):
        try:
            return self.respond()
        except UserError as error:
            body = booking_error(self.request, error)
            self.request.response.setHeader("Content-Type", self.content_type)
            return json.dumps(body, indent=2, sort_keys=True, separators=(", ", ": "))

    def respond(self):
        """The body (a service with an answer of its own overrides this)."""
        return super().render()


@implementer(IPublishTraverse)
class PathService(Service):
    """A service reached as /@name/a/b/...: the path parts after its name in ``params``."""

    def __init__(self, context, request):
        super().__init__(context, request)
        self.params = []

    def publishTraverse(self, request, name):
        self.params.append(name)
        return self


class TokenService(PathService):
    """A service reached as /@name/{secret token}/...: the path parts in ``params``."""

    @property
    def token(self):
        return self.params[0] if self.params else ""

    def render(self):
        # Links carry a secret: never cache, never leak it to other sites.
        self.request.response.setHeader("Cache-Control", "no-store")
        self.request.response.setHeader("Referrer-Policy", "no-referrer")
        return super().render()


class UnsupportedMediaType(UserError):
    type = "UnsupportedMediaType"
    status = 415


class StaffWrite(Service):
    """A change counter staff make from their pages, with a fetch.

    The guard (guard.py) has refused it already when it rode on a login
    cookie from another site, or came as a form (an upload service, with
    ``accepts_uploads``, excepted): plone.protect's form token has nothing to
    add, and would only refuse the page's own fetch.
    """

    def render(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        self.request.response.setHeader("Cache-Control", "no-store")
        return super().render()

    def body(self):
        """The JSON object sent ({} for no body); else a 415 or 400 UserError."""
        if media_type(self.request) not in ("application/json", ""):
            raise UnsupportedMediaType(_("Send JSON (Content-Type: application/json)."))
        data = json_object(self.request)
        if data is None:
            raise InvalidInput(_("Send a JSON object."))
        return data
