"""Pieces the services share."""

from plone.restapi.deserializer import json_body
from plone.restapi.exceptions import DeserializationError
from plone.restapi.services import Service
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse


def json_object(request):
    """The request's JSON body if it is an object, else None."""
    try:
        data = json_body(request)
    except (DeserializationError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


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
