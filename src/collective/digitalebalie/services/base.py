"""Pieces the services share: the base service, JSON bodies, token paths."""

from collective.digitalebalie.errors import UserError
from collective.digitalebalie.services.errors import booking_error
from plone.restapi.deserializer import json_body
from plone.restapi.exceptions import DeserializationError
from plone.restapi.services import Service as RestapiService
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
            return super().render()
        except UserError as error:
            body = booking_error(self.request, error)
            self.request.response.setHeader("Content-Type", self.content_type)
            return json.dumps(body, indent=2, sort_keys=True, separators=(", ", ": "))


@implementer(IPublishTraverse)
class TokenService(Service):
    """A service reached as /@name/{secret token}/...: the path parts in ``params``."""

    def __init__(self, context, request):
        super().__init__(context, request)
        self.params = []

    def publishTraverse(self, request, name):
        self.params.append(name)
        return self

    @property
    def token(self):
        return self.params[0] if self.params else ""

    def render(self):
        # Links carry a secret: never cache, never leak it to other sites.
        self.request.response.setHeader("Cache-Control", "no-store")
        self.request.response.setHeader("Referrer-Policy", "no-referrer")
        return super().render()
