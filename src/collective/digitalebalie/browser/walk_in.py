"""The walk-in queue's pages (issue 19): the product page's "Talk to us now",
the citizen's place in the queue, and the agenda's queue of the employee's teams.

Every form works without JavaScript (a post and a redirect); with it, the
queue page and the agenda follow the queue live (static/queue.js).
"""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import settings
from collective.digitalebalie import teams
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.browser import headers
from collective.digitalebalie.browser.counter_product import BookingFormMixin
from collective.digitalebalie.browser.device_test import DeviceTestPage
from collective.digitalebalie.video import device_test
from collective.digitalebalie.walkin import availability
from collective.digitalebalie.walkin import callbacks
from collective.digitalebalie.walkin import queue
from collective.digitalebalie.walkin import staff
from datetime import UTC
from datetime import datetime
from plone import api
from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zope.i18n import translate
from zope.i18nmessageid import Message
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse
import json
import transaction


# What queue.js says; ${n} and ${minutes} are filled in by the script.
CITIZEN_MESSAGES = {
    "position": _("You are number ${n} in the queue."),
    "first": _("You are number 1 in the queue: you are next."),
    "wait": _("Expected wait: about ${minutes} minutes."),
    "your_turn": _("It is your turn. The employee is starting the video call."),
    "your_turn_title": _("Your turn!"),
    "left": _("You are no longer in the queue."),
    "done": _("Your conversation is over."),
    "offline": _("The connection is gone. We keep your place for 2 minutes."),
}
STAFF_MESSAGES = {
    "count": _("${n} waiting"),
    "longest": _("longest wait: ${minutes} min"),
    "nobody": _("Nobody is waiting."),
    "since": _("waiting ${minutes} min"),
    "title": _("Walk-in: ${n} waiting"),
}


def minutes_since(iso, now=None):
    moment = datetime.fromisoformat(iso)
    return max(0, int(((now or datetime.now(UTC)) - moment).total_seconds() // 60))


@implementer(IPublishTraverse)
class QueueTicketView(BookingFormMixin, BrowserView):
    """The citizen's page while they wait: /@@queue-ticket/{token}."""

    index = ViewPageTemplateFile("templates/queue_ticket.pt")
    not_found = ViewPageTemplateFile("templates/appointment_not_found.pt")
    token = ""
    mode = "view"  # or "device-test"
    part = ""  # the device test's "token"

    def publishTraverse(self, request, name):
        if not self.token:
            self.token = name
        elif self.mode == "device-test" and not self.part:
            self.part = name
        elif name == "device-test":
            self.mode = name
        return self

    def __call__(self):
        response = self.request.response
        headers.secret_link_page(response)
        try:
            self.product, _queue, _ticket = queue.find(self.token)
        except errors.NotFound:
            response.setStatus(404)
            return self.not_found()
        if self.mode == "device-test":
            waiting = queue.ticket_status(self.token)["state"] == queue.WAITING
            return QueueDeviceTest(
                self.context, self.request, self.product, self.url, self.part, waiting
            )()
        if self.request.method == "POST" and self.handle_post():
            return ""
        self.ticket = queue.ticket_status(self.token)
        if self.ticket["state"] in ("called", "in_call", "done") and self.ticket.get(
            "appointment"
        ):
            # Taken: the citizen's page is the appointment's from now on.
            response.redirect(self.ticket["appointment"], status=303)
            return ""
        return self.index()

    def handle_post(self):
        if not self.check_csrf():
            self.request.response.setStatus(400)
            return False
        try:
            if "leave" in self.request.form:
                queue.leave(self.token)
            elif "callback" in self.request.form:
                callbacks.request_callback(self.token, self.value("phone"))
            elif "cancel_callback" in self.request.form:
                callbacks.cancel_callback(self.token)
            else:
                return False
        except errors.UserError as error:
            self.fail(error)
            return False
        self.request.response.redirect(self.url, status=303)
        return True

    @property
    def url(self):
        return queue.ticket_url(self.token)

    @property
    def api_url(self):
        return f"{api.portal.get().absolute_url()}/@queue-ticket/{self.token}"

    @property
    def device_test_url(self):
        return f"{self.url}/device-test"

    def messages(self):
        return formatting.messages_json(CITIZEN_MESSAGES, self.request)

    def position_text(self):
        position = self.ticket.get("position")
        if position == 1:
            return translate(CITIZEN_MESSAGES["first"], context=self.request)
        return translate(
            Message(CITIZEN_MESSAGES["position"], mapping={"n": position}),
            context=self.request,
        )

    def wait_text(self):
        minutes = self.ticket.get("estimated_wait_minutes")
        if minutes is None:
            return ""
        return translate(
            Message(CITIZEN_MESSAGES["wait"], mapping={"minutes": minutes}),
            context=self.request,
        )


class QueueDeviceTest(DeviceTestPage):
    """The device test while waiting in the queue: the call is today."""

    def __init__(self, context, request, product, back_url, part, waiting):
        BrowserView.__init__(self, context, request)
        self.appointment = None
        self.product = product
        self.back_url = back_url
        self.part = part
        self.waiting = waiting

    def __call__(self):
        if self.part == "token":
            response = self.request.response
            response.setHeader("Content-Type", "application/json")
            if not self.waiting:
                response.setStatus(404)
                return json.dumps({"error": {"type": "NotFound", "message": ""}})
            return json.dumps(device_test.run_info())
        if self.part:
            self.request.response.setStatus(404)
            return self.not_found()
        self.available = self.waiting
        return self.index()

    def when(self):
        return settings.date_in_words(
            settings.now_utc().astimezone(settings.site_timezone()).date()
        )


class WalkInAgenda:
    """The agenda's part: availability, the queue of the teams, take the next one."""

    def __init__(self, request):
        self.request = request
        self.user = api.user.get_current()
        self.products = availability.products_of_teams(teams.user_teams(self.user))
        self.available = availability.is_available(self.user.getId())
        self.items, self.callbacks = (
            staff.staff_view(self.user) if self.products else ([], [])
        )

    def count_text(self):
        """'3 waiting, longest wait: 12 min' (the first waited longest)."""
        count = translate(
            Message(STAFF_MESSAGES["count"], mapping={"n": len(self.items)}),
            context=self.request,
        )
        minutes = minutes_since(self.items[0]["waiting_since"])
        longest = translate(
            Message(STAFF_MESSAGES["longest"], mapping={"minutes": minutes}),
            context=self.request,
        )
        return f"{count}, {longest}"

    def since_text(self, item):
        return translate(
            Message(
                STAFF_MESSAGES["since"],
                mapping={"minutes": minutes_since(item["waiting_since"])},
            ),
            context=self.request,
        )

    def messages(self):
        return formatting.messages_json(STAFF_MESSAGES, self.request)

    def watch_urls(self):
        base = api.portal.get().absolute_url()
        return " ".join(
            f"{base}/@queue/watch/{product.UID()}" for product in self.products
        )


class WalkInStaffPost(BrowserView):
    """The agenda's walk-in forms without JavaScript: availability and taking."""

    def __call__(self):
        CheckAuthenticator(self.request)
        user = api.user.get_current()
        form = self.request.form
        agenda_url = f"{api.portal.get().absolute_url()}/@@agenda"
        try:
            if "available" in form:
                availability.set_available(user.getId(), form["available"] == "1")
                message = (
                    _("You are available for walk-ins.")
                    if form["available"] == "1"
                    else _("You are no longer available for walk-ins.")
                )
            elif "take" in form:
                appointment, _ticket, _product = staff.take_next(user)
                self.request.response.redirect(
                    f"{appointment.absolute_url()}#walk-in", status=303
                )
                return ""
            elif "callback_done" in form:
                staff.callback_done(user, form["callback_done"])
                message = _("The callback request is done.")
            else:
                raise errors.InvalidInput(_("Unknown action."))
        except errors.UserError as error:
            transaction.doom()
            api.portal.show_message(error.message, request=self.request, type="error")
        else:
            api.portal.show_message(message, request=self.request, type="info")
        self.request.response.redirect(f"{agenda_url}#walk-in", status=303)
        return ""
