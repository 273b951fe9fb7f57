"""The device test: camera, microphone, speaker and network, any time before the call.

Reached from the citizen's link (``@@my-appointment/{token}/device-test``) and
from a guest's link (``@@video-guest/{token}/device-test``); those views hand
over here once they know the appointment. ``…/device-test/token`` answers the
page's script with a test token (video/device_test.py), fetched fresh for each
run so a page left open still works.
"""

from collective.digitalebalie import _
from collective.digitalebalie import appointments
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.browser import headers
from collective.digitalebalie.video import device_test
from plone import api
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zope.i18n import translate
import json


MESSAGES = {
    "starting": _("The test is running…"),
    "camera_ok": _("Camera works: you see yourself."),
    "camera_none": _("We found no camera. You can still take part with sound only."),
    "denied": _(
        "You did not allow the camera and microphone. Allow them in your "
        "browser (the icon next to the web address) and test again."
    ),
    "no_devices": _("We found no camera and no microphone."),
    "mic_listening": _("Say something. We are listening…"),
    "mic_ok": _("We hear you."),
    "mic_silent": _("We hear nothing: check that your microphone is on."),
    "mic_none": _("We found no microphone."),
    "sound_playing": _("You hear a short tone now."),
    "sound_yes": _("Good: your sound works."),
    "sound_no": _(
        "Turn up the sound of your device, or connect headphones. "
        "Then play the sound again."
    ),
    "sound_failed": _("We could not play a sound in this browser."),
    "server_checking": _("Checking the connection to our video server…"),
    "server_ok": _("Connection to our video server works (${ms} ms)."),
    "server_failed": _("We cannot reach our video server."),
    "server_none": _("This check is not needed here."),
    "relay_checking": _("Checking the connection through our relay server…"),
    "relay_ok": _("Connection through our relay server works (${ms} ms)."),
    "relay_failed": _("The connection through our relay server does not work."),
    "relay_none": _("This check is not needed here."),
    "slow": _("Your connection is slow (${ms} ms). The video may stop now and then."),
    "verdict_ok": _("Everything works. You are ready for your video appointment."),
    "verdict_wait": _("Answer the question about the test sound."),
    "verdict_todo": _("Not everything works yet. What you can do:"),
    "todo_camera": _(
        "Allow the camera and microphone in your browser, or connect a camera. "
        "Without a camera you can take part with sound only."
    ),
    "todo_mic": _(
        "Check that your microphone is on and not muted. Or use a headset. "
        "Then test again."
    ),
    "todo_sound": _(
        "Turn up the sound of your device, or connect headphones. "
        "Then play the sound again."
    ),
    "todo_network": _(
        "Your network blocks the video call. Try another network, for example "
        "Wi-Fi instead of mobile data. Or call us."
    ),
    "todo_slow": _(
        "Your connection is slow. Go closer to your Wi-Fi, or close other "
        "apps that use the internet."
    ),
    "failed": _("Something went wrong. Reload the page and test again."),
}


def messages(request):
    return json.dumps(
        {key: translate(text, context=request) for key, text in MESSAGES.items()}
    )


class DeviceTestPage(BrowserView):
    index = ViewPageTemplateFile("templates/device_test.pt")
    cancelled = ViewPageTemplateFile("templates/appointment_cancelled.pt")
    not_found = ViewPageTemplateFile("templates/appointment_not_found.pt")

    def __init__(self, context, request, appointment, back_url, part=""):
        super().__init__(context, request)
        self.appointment = appointment
        self.back_url = back_url
        self.part = part
        self.product = appointments.product_of(appointment)

    @property
    def url(self):
        return f"{self.back_url}/device-test"

    def __call__(self):
        response = self.request.response
        headers.secret_link_page(response)
        state = api.content.get_state(self.appointment)
        if self.part == "token":
            return self.token_json(state)
        if self.part:
            response.setStatus(404)
            return self.not_found()
        if state == "cancelled":
            # Only that it is cancelled, as on the appointment page itself.
            response.setStatus(404)
            return self.cancelled()
        self.available = device_test.available(self.appointment)
        if not self.available:
            response.setStatus(404)
        return self.index()

    def token_json(self, state):
        response = self.request.response
        response.setHeader("Content-Type", "application/json")
        if state == "cancelled" or not device_test.available(self.appointment):
            response.setStatus(404)
            body = {
                "error": {
                    "type": "NotFound",
                    "message": translate(
                        _("This appointment has no video room."), context=self.request
                    ),
                }
            }
        else:
            body = device_test.run_info()
        return json.dumps(body)

    # --- facts for the page -----------------------------------------------------

    def when(self):
        """'dinsdag 1 december 2026 om 10:20' in words, no ISO date."""
        start = self.appointment.start.astimezone(appointments.site_timezone())
        return translate(
            _(
                "${date} at ${time}",
                mapping={
                    "date": formatting.long_date(start.date()),
                    "time": formatting.clock(start),
                },
            ),
            context=self.request,
        )

    def product_title(self):
        return self.product.Title() if self.product is not None else ""

    def messages(self):
        return messages(self.request)
