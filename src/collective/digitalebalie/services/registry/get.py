"""GET @registry/<record>: plone.restapi's, but an unknown record is a 404.

plone.restapi answers a record that does not exist with a 503 (a KeyError).
The add-on's secrets are not in the registry (secrets.py), so asking for one
of their old names must say plainly that there is nothing: 404.
"""

from collective.digitalebalie import _
from collective.digitalebalie.services.errors import error_body
from plone.registry.interfaces import IRegistry
from plone.restapi.services.registry.get import RegistryGet
from zope.component import getUtility


class RegistryRecordGet(RegistryGet):
    def reply(self):
        if (
            len(self.params) == 1
            and self.params[0] not in getUtility(IRegistry).records
        ):
            return error_body(
                self.request, 404, "NotFound", _("There is no such setting.")
            )
        return super().reply()
