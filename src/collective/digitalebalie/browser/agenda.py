"""The agenda page of counter employees: their appointments and the team's."""

from collective.digitalebalie import _
from collective.digitalebalie import agenda
from collective.digitalebalie import errors
from collective.digitalebalie import settings
from collective.digitalebalie import teams
from collective.digitalebalie import validation
from collective.digitalebalie.booking.input import parse_day
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.browser.desk import desk_messages
from collective.digitalebalie.browser.my_appointment import STATES
from collective.digitalebalie.browser.walk_in import WalkInAgenda
from collective.digitalebalie.content.counter_product import CHANNELS
from collective.digitalebalie.video import rooms
from datetime import timedelta
from plone import api
from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import urlencode
from zope.i18n import translate
import transaction


PERIODS = {
    "today": _("Today"),
    "upcoming": _("Coming 30 days"),
    "past": _("Past 30 days"),
}
SCOPE_TITLES = {
    "mine": _("My appointments"),
    "team": _("My teams"),
    "all": _("All teams"),
}
ACTION_TITLES = {
    "start": _("Start the conversation"),
    "complete": _("Complete"),
    "no_show": _("Did not come"),
    "cancel": _("Cancel appointment"),
}
DONE = {
    "start": _("The appointment has started."),
    "complete": _("The appointment is completed."),
    "no_show": _("Marked: the citizen did not come."),
    "cancel": _("The appointment is cancelled. The citizen gets an e-mail."),
    "reassign": _("The appointment is given to ${name}."),
}


# How long before a video room opens the agenda starts to watch it.
WATCH_BEFORE = timedelta(hours=2)


def watched(appointment, state, now):
    """Whether the agenda shows live who waits for this appointment."""
    if appointment.channel != "video" or state not in ("booked", "in_progress"):
        return False
    opens, closes = rooms.window(appointment)
    return opens - WATCH_BEFORE <= now <= closes


class AgendaView(BrowserView):
    index = ViewPageTemplateFile("templates/agenda.pt")

    def __call__(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        if self.request.method == "POST":
            return self.handle_post()
        self.error = None
        tz = settings.site_timezone()
        self.today = settings.now_utc().astimezone(tz).date()
        period = self._one("period")
        self.period = period if period in PERIODS else "today"
        self.day = self._one("day")
        self.query = self._one("q").strip()[:100]
        self.scope = self._one("scope") or "mine"
        self.cancelled = self._one("cancelled") == "1"
        first, last = self._range()
        try:
            self.pairs = agenda.entries(
                self.scope, first, last, self.query, cancelled=self.cancelled
            )
        except errors.UserError as error:
            self.error = translate(error.message, context=self.request)
            self.pairs = []
            self.request.response.setStatus(error.status)
        if self.period == "past" and not self.day:
            self.pairs.reverse()  # most recent first
        return self.index()

    def _one(self, name):
        """One text value of the query; a repeated or typed one (?q:int=5) is
        shown as a mistake, and the agenda is shown without it."""
        try:
            return validation.one_value(self.request.form, name)
        except validation.Refused as error:
            self.error = translate(error.message, context=self.request)
            self.request.response.setStatus(400)
            return ""

    def _range(self):
        if self.day:
            try:
                day = parse_day(self.day, "day")
            except errors.UserError:
                self.day = ""
                self.error = translate(
                    _("The date is not valid."), context=self.request
                )
            else:
                return day, day
        if self.period == "upcoming":
            return self.today, self.today + timedelta(days=30)
        if self.period == "past":
            return self.today - timedelta(days=30), self.today - timedelta(days=1)
        return self.today, self.today

    # --- actions ---------------------------------------------------------------------

    def handle_post(self):
        CheckAuthenticator(self.request)
        form = self.request.form
        messages = api.portal.show_message
        try:
            appointment = agenda.find(form.get("appointment"))
            action = form.get("action")
            if action == "reassign":
                teams.reassign(appointment, form.get("assignee"))
                done = translate(
                    DONE["reassign"],
                    context=self.request,
                    mapping={"name": teams.fullname(appointment.assignee)},
                )
            else:
                agenda.act(appointment, action, form.get("message", ""))
                done = DONE[action]
        except errors.UserError as error:
            transaction.doom()  # a refused action changes nothing
            messages(error.message, request=self.request, type="error")
        else:
            messages(done, request=self.request, type="info")
        back = form.get("came_from") or ""
        if not back.startswith("?"):
            back = ""
        self.request.response.redirect(f"{self.context.absolute_url()}/@@agenda{back}")
        return ""

    # --- for the template --------------------------------------------------------------

    def t(self, message):
        return translate(message, context=self.request)

    def periods(self):
        return [
            {
                "id": key,
                "title": self.t(title),
                "url": self.url(period=key, day=""),
                "current": key == self.period and not self.day,
            }
            for key, title in PERIODS.items()
        ]

    def scopes(self):
        scopes = ["mine", "team"] + (["all"] if agenda.may_see_all() else [])
        return [
            {
                "id": key,
                "title": self.t(SCOPE_TITLES[key]),
                "selected": key == self.scope,
            }
            for key in scopes
        ]

    def url(self, **changes):
        params = {
            "period": self.period,
            "day": self.day,
            "scope": self.scope,
            "q": self.query,
            "cancelled": "1" if self.cancelled else "",
        }
        params.update(changes)
        query = urlencode({k: v for k, v in params.items() if v})
        return f"{self.context.absolute_url()}/@@agenda?{query}"

    def came_from(self):
        query = self.request.get("QUERY_STRING", "")
        return f"?{query}" if query else ""

    def heading(self):
        if self.day:
            try:
                return formatting.long_date(parse_day(self.day, "day"))
            except errors.UserError:
                pass
        if self.period == "today":
            return f"{self.t(PERIODS['today'])}: {formatting.long_date(self.today)}"
        return self.t(PERIODS[self.period])

    def total(self):
        """How many appointments are shown, in words that agree with the number
        (Dutch and English have one form for 1 and one for the rest)."""
        count = len(self.pairs)
        if count == 1:
            return self.t(_("1 appointment"))
        return translate(
            _("${count} appointments", mapping={"count": count}),
            context=self.request,
        )

    def counts(self):
        """How many appointments are shown, and per state."""
        per_state = {}
        for appointment, _product in self.pairs:
            state = api.content.get_state(appointment)
            per_state[state] = per_state.get(state, 0) + 1
        return [
            {"title": self.t(STATES[state]), "count": per_state[state]}
            for state in STATES
            if state in per_state
        ]

    def desk_messages(self):
        return desk_messages(self.request)

    def rows(self):
        tz = settings.site_timezone()
        now = settings.now_utc()
        channels = {term.value: term.title for term in CHANNELS}
        workflow = api.portal.get_tool("portal_workflow")
        for appointment, product in self.pairs:
            start = appointment.start.astimezone(tz)
            end = appointment.end.astimezone(tz)
            state = api.content.get_state(appointment)
            available = {t["id"] for t in workflow.getTransitionsFor(appointment)}
            if appointment.start > now:
                # Only once the time has come can the citizen have not come.
                available.discard("no_show")
            assignee = getattr(appointment, "assignee", None)
            can_reassign = state in (
                "booked",
                "in_progress",
            ) and api.user.has_permission(
                "collective.digitalebalie: Manage appointments", obj=appointment
            )
            yield {
                "id": appointment.getId(),
                "url": appointment.absolute_url(),
                "date": formatting.short_date(start.date()),
                "time": f"{formatting.clock(start)} – {formatting.clock(end)}",
                "fullname": appointment.fullname,
                "persons": formatting.persons(appointment, self.request),
                "product": product.Title(),
                "channel": self.t(
                    channels.get(appointment.channel, appointment.channel)
                ),
                "state": state,
                "state_title": self.t(STATES.get(state, state)),
                # Video calls soon or now: the row shows who waits (desk.js).
                "watch_url": f"{appointment.absolute_url()}/@desk"
                if watched(appointment, state, now)
                else None,
                "assignee": teams.fullname(assignee) if assignee else "",
                "actions": [
                    {"id": key, "title": self.t(title)}
                    for key, title in ACTION_TITLES.items()
                    if key in available and key != "cancel"
                ],
                "can_cancel": "cancel" in available,
                "candidates": [
                    {
                        "id": user_id,
                        "title": teams.fullname(user_id),
                        "selected": user_id == assignee,
                    }
                    for user_id in teams.candidates(appointment)
                ]
                if can_reassign
                else [],
            }

    @property
    def walk_in(self):
        if not hasattr(self, "_walk_in"):
            self._walk_in = WalkInAgenda(self.request)
        return self._walk_in

    def can_make_appointments(self):
        return any(
            api.user.has_permission(
                "collective.digitalebalie: Make appointments for citizens", obj=product
            )
            for product in agenda.all_products()
        )
