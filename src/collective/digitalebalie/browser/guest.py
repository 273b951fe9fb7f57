"""The page a guest (interpreter, colleague) opens with the link from the employee."""

from collective.digitalebalie import errors
from collective.digitalebalie.browser import headers
from collective.digitalebalie.browser.device_test import DeviceTestPage
from collective.digitalebalie.browser.room import room_messages
from collective.digitalebalie.video import rooms
from plone import api
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse


@implementer(IPublishTraverse)
class GuestView(BrowserView):
    index = ViewPageTemplateFile("templates/guest.pt")
    not_found = ViewPageTemplateFile("templates/appointment_not_found.pt")
    macros_template = ViewPageTemplateFile("templates/macros.pt")
    token = ""
    part = ""

    def publishTraverse(self, request, name):
        if not self.token:
            self.token = name
        elif name == "device-test" or self.part.startswith("device-test"):
            self.part = f"{self.part}/{name}" if self.part else name
        return self

    def __call__(self):
        response = self.request.response
        headers.secret_link_page(response)
        try:
            self.appointment, self.guest = rooms.find_guest(self.token)
        except errors.NotFound:
            response.setStatus(404)
            return self.not_found()
        if self.part.startswith("device-test"):
            return DeviceTestPage(
                self.context,
                self.request,
                self.appointment,
                f"{api.portal.get().absolute_url()}/@@video-guest/{self.token}",
                self.part.removeprefix("device-test").lstrip("/"),
            )()
        return self.index()

    @property
    def picker_macros(self):
        return self.macros_template.macros

    @property
    def device_test_url(self):
        return (
            f"{api.portal.get().absolute_url()}/@@video-guest/{self.token}/device-test"
        )

    @property
    def room_info_url(self):
        return f"{api.portal.get().absolute_url()}/@video-guest/{self.token}"

    def room_messages(self):
        return room_messages(self.request)
