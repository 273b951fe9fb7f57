"""What the municipality learns from its counter: figures per product and team.

Every appointment has one *row* of facts, without personal data (product,
teams, local day, weekday and hour, state, who cancelled, channel, staff-made,
walk-in and its wait, identified with which scheme, payments asked and paid).
The row is written when something about the appointment changes (booked,
moved, a workflow step, a payment, an identification; see ``note``), so the
figures are counted before the retention job removes the personal data and the
dossier with its payments, and a year of 100,000 appointments is read from one
BTree without opening any appointment (``bench/bench_statistics.py``).

Satisfaction answers are kept apart from the rows, as counts per (day of the
answer, product, teams, score): an answer is never linked to its appointment
(see ``aftercall/satisfaction.py``).

Rows live in one OOBTree keyed ``(day ordinal, appointment id)``: bookings of
different appointments insert different keys, which ZODB merges.
"""

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import settings
from collective.digitalebalie import teams
from collective.digitalebalie.booking import store
from collective.digitalebalie.booking.input import parse_day
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.integrations import digid
from collective.digitalebalie.integrations import payments
from collective.digitalebalie.storage import annotation
from datetime import timedelta
from persistent import Persistent
from plone import api
from zope.annotation.interfaces import IAnnotations
import math
import statistics as pystatistics


KEY = "collective.digitalebalie.statistics"
VIEW_STATISTICS = "collective.digitalebalie: View statistics"
TEAM_LEAD_ROLE = "CounterTeamLead"
MAX_DAYS = 366
DEFAULT_DAYS = 30
CHANNELS = ("video", "phone", "counter")
SCHEMES = ("digid", "eherkenning")
SCORES = (1, 2, 3, 4, 5)
WORKFLOW = "appointment_workflow"

# The fields of a row, in order (a tuple pickles small and compares, so ZODB
# can merge two transactions that insert rows into one bucket).
FIELDS = (
    "product_uid",
    "teams",
    "weekday",  # 0 = Monday, local time
    "hour",  # 0-23, local time
    "state",
    "cancelled_by",  # "citizen", "staff" or ""
    "staff_made",
    "channel",
    "walk_in",
    "waited_seconds",  # int or None
    "identified",  # "digid", "eherkenning" or ""
    "asked_count",
    "asked_cents",
    "paid_count",
    "paid_cents",
)
FIELD = {name: index for index, name in enumerate(FIELDS)}


class Store(Persistent):
    """The rows of all appointments and the satisfaction counts; made once."""

    def __init__(self):
        self.rows = OOBTree()  # (day ordinal, appointment id) -> row tuple
        self.scores = OOBTree()  # (day ordinal, product uid, teams, score) -> Length


def _store(create=True):
    folder = store.appointments_folder()
    if create:
        return annotation(folder, KEY, Store)
    return IAnnotations(folder).get(KEY)


def ensure_store(portal=None):
    return _store(create=True)


# --- writing ---------------------------------------------------------------------


def cancelled_by(appointment):
    """Who made the last "cancel" step: counter staff (a logged-in user) or the
    citizen (through the secret link, anonymous)."""
    history = getattr(appointment, "workflow_history", {}).get(WORKFLOW, ())
    for entry in reversed(history):
        if entry.get("action") == "cancel":
            return "staff" if entry.get("actor") else "citizen"
    return "citizen"


def identified(appointment):
    """The scheme the citizen identified with, or "" (never the identity)."""
    try:
        identity = digid.identity_of(appointment)
    except Exception:  # noqa: BLE001 - an unreadable identity counts as none
        identity = None
    if not isinstance(identity, dict):
        return ""
    scheme = identity.get("scheme")
    if scheme in SCHEMES:
        return scheme
    return "digid" if identity.get("bsn") else ""


def _payments(appointment):
    dossier = dossiers.of(appointment)
    if dossier is None:
        return None
    return payments.of_appointment(dossier, appointment.getId())


def row_of(appointment, previous=None):
    """The row of facts of one appointment (no personal data)."""
    local = appointment.start.astimezone(settings.site_timezone())
    state = api.content.get_state(appointment, default="booked")
    found = _payments(appointment)
    if found is None and previous is not None:
        # The dossier is gone (retention): keep what was counted.
        asked = previous[FIELD["asked_count"]], previous[FIELD["asked_cents"]]
        paid = previous[FIELD["paid_count"]], previous[FIELD["paid_cents"]]
    else:
        found = found or []
        asked = len(found), sum(p["amount"] for p in found)
        done = [p for p in found if p["state"] == "paid"]
        paid = len(done), sum(p["amount"] for p in done)
    waited = getattr(appointment, "waited_seconds", None)
    scheme = identified(appointment)
    if not scheme and previous is not None and getattr(appointment, "anonymized", None):
        scheme = previous[FIELD["identified"]]
    return (
        appointment.product_uid,
        tuple(sorted(getattr(appointment, "teams", None) or ())),
        local.weekday(),
        local.hour,
        state,
        cancelled_by(appointment) if state == "cancelled" else "",
        bool(getattr(appointment, "booked_by", None)),
        appointment.channel if appointment.channel in CHANNELS else "video",
        getattr(appointment, "origin", None) == "walk_in",
        waited if type(waited) is int and waited >= 0 else None,
        scheme,
        asked[0],
        asked[1],
        paid[0],
        paid[1],
    )


def note(appointment):
    """Write (or rewrite) the appointment's row; idempotent, cheap when unchanged."""
    if getattr(appointment, "start", None) is None:
        return
    rows = _store().rows
    day = appointment.start.astimezone(settings.site_timezone()).date().toordinal()
    key = (day, appointment.getId())
    old_key = getattr(appointment, "statistics_key", None)
    previous = rows.get(old_key) if old_key is not None else None
    row = row_of(appointment, previous)
    if old_key is not None and old_key != key and old_key in rows:
        del rows[old_key]
    if rows.get(key) != row:
        rows[key] = row
    if old_key != key:
        appointment.statistics_key = key


def note_answer(appointment, day, score):
    """A satisfaction answer: one more for (day, product, teams, score)."""
    key = (
        day.toordinal(),
        appointment.product_uid,
        tuple(sorted(getattr(appointment, "teams", None) or ())),
        score,
    )
    scores = _store().scores
    if key not in scores:
        scores[key] = Length()
    scores[key].change(1)


def appointment_changed(appointment, event=None):
    """Subscriber: booked, moved, a workflow step, an edit, a payment, an identification."""
    note(appointment)


def satisfaction_answered(appointment, event):
    note_answer(appointment, event.day, event.score)


def rebuild():
    """Rows of every appointment there is (an upgrade, or a repair); returns the count."""
    count = 0
    with api.env.adopt_roles(["Manager"]):
        for appointment in store.appointments_folder().objectValues():
            note(appointment)
            count += 1
    return count


# --- the request -----------------------------------------------------------------


class Forbidden(errors.Forbidden):
    pass


def parse_period(form, defaults=False, today=None):
    """(first, last) local days from ``start`` and ``end`` (YYYY-MM-DD).

    With ``defaults`` (the page) a missing field means the last 30 days.
    """
    today = today or settings.now_utc().astimezone(settings.site_timezone()).date()
    values = {}
    for name in ("start", "end"):
        value = form.get(name, "")
        if not isinstance(value, str):
            raise errors.InvalidInput(
                _("Give this field once, as text."),
                {name: _("Give this field once, as text.")},
            )
        values[name] = value.strip()
    missing = [name for name, value in values.items() if not value]
    if missing and not defaults:
        raise errors.InvalidInput(
            _("Give a start and an end date (YYYY-MM-DD)."),
            {name: _("Use YYYY-MM-DD.") for name in missing},
        )
    last = parse_day(values["end"], "end") if values["end"] else today
    first = (
        parse_day(values["start"], "start")
        if values["start"]
        else last - timedelta(days=DEFAULT_DAYS - 1)
    )
    if last < first:
        raise errors.InvalidInput(
            _("The end date is before the start date."),
            {"end": _("Use a date on or after the start date.")},
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise errors.InvalidInput(
            _("Choose a period of at most ${days} days.", mapping={"days": MAX_DAYS}),
            {"end": _("Choose a shorter period.")},
        )
    return first, last


def may_see_all():
    return api.user.has_permission(teams.VIEW_ALL, obj=api.portal.get())


def visible_teams():
    """The teams whose figures the current user may see; None: all of them."""
    if may_see_all():
        return None
    mine = teams.user_teams()
    if not mine:
        raise Forbidden(_("Only managers and team leads may see the statistics."))
    return mine


def products_in(context):
    """The counter products under ``context`` (the site or a folder), by title."""
    path = "/".join(context.getPhysicalPath())
    with api.env.adopt_roles(["Manager"]):
        return [
            brain.getObject()
            for brain in api.content.find(
                portal_type="CounterProduct",
                path={"query": path},
                sort_on="sortable_title",
            )
        ]


def scope(context, product_uid=""):
    """The products the figures cover: those under ``context``, or the one asked for."""
    products = products_in(context)
    if product_uid:
        products = [p for p in products if api.content.get_uuid(p) == product_uid]
        if not products:
            raise errors.InvalidInput(
                _("Unknown counter product."),
                {"product": _("Choose one of the counter products.")},
            )
    return products


# --- counting --------------------------------------------------------------------


class Tally:
    """Counts of one product, team or the whole scope, in one pass over the rows."""

    __slots__ = (
        "asked",
        "asked_cents",
        "booked",
        "by_citizen",
        "by_staff",
        "channels",
        "paid",
        "paid_cents",
        "schemes",
        "scores",
        "staff_made",
        "states",
        "waits",
        "walk_ins",
    )

    def __init__(self):
        self.booked = 0
        self.states = {}
        self.by_citizen = self.by_staff = self.staff_made = 0
        self.channels = dict.fromkeys(CHANNELS, 0)
        self.schemes = dict.fromkeys(SCHEMES, 0)
        self.asked = self.asked_cents = self.paid = self.paid_cents = 0
        self.waits = []
        self.walk_ins = 0
        self.scores = dict.fromkeys(SCORES, 0)

    def add(self, row):
        (
            _uid,
            _teams,
            _weekday,
            _hour,
            state,
            who,
            staff_made,
            channel,
            walk_in,
            waited,
            scheme,
            asked,
            asked_cents,
            paid,
            paid_cents,
        ) = row
        self.booked += 1
        self.states[state] = self.states.get(state, 0) + 1
        if who == "staff":
            self.by_staff += 1
        elif who == "citizen":
            self.by_citizen += 1
        if staff_made:
            self.staff_made += 1
        self.channels[channel] = self.channels.get(channel, 0) + 1
        if scheme:
            self.schemes[scheme] = self.schemes.get(scheme, 0) + 1
        if asked:
            self.asked += asked
            self.asked_cents += asked_cents
        if paid:
            self.paid += paid
            self.paid_cents += paid_cents
        if walk_in:
            self.walk_ins += 1
            if waited is not None:
                self.waits.append(waited)

    def figures(self):
        states = self.states
        cancelled = states.get("cancelled", 0)
        held = self.booked - cancelled
        identified = sum(self.schemes.values())
        count = sum(self.scores.values())
        total = sum(score * n for score, n in self.scores.items())
        return {
            "booked": self.booked,
            "completed": states.get("completed", 0),
            "open": states.get("booked", 0) + states.get("in_progress", 0),
            "cancelled": {
                "total": cancelled,
                "by_citizen": self.by_citizen,
                "by_staff": self.by_staff,
            },
            "no_show": states.get("no_show", 0),
            "staff_made": self.staff_made,
            "walk_ins": {
                "count": self.walk_ins,
                "waiting_median_seconds": median(self.waits),
                "waiting_p90_seconds": percentile(self.waits, 90),
            },
            "channels": {
                channel: self.channels.get(channel, 0) for channel in CHANNELS
            },
            "identified": {
                "digid": self.schemes.get("digid", 0),
                "eherkenning": self.schemes.get("eherkenning", 0),
                "total": identified,
                # Of the appointments that were not cancelled.
                "share": round(identified / held, 4) if held else None,
            },
            "payments": {
                "asked": {"count": self.asked, "amount_cents": self.asked_cents},
                "paid": {"count": self.paid, "amount_cents": self.paid_cents},
            },
            "satisfaction": {
                "count": count,
                "mean": round(total / count, 2) if count else None,
                "distribution": {str(s): self.scores[s] for s in SCORES},
            },
        }


def median(values):
    if not values:
        return None
    result = pystatistics.median(values)
    return int(result) if float(result).is_integer() else round(result, 1)


def percentile(values, p):
    """The nearest-rank percentile: the smallest value at or above p% of them."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _teams_of(by_team, row_teams):
    return [by_team[team_id] for team_id in row_teams if team_id in by_team]


def compute(context, first, last, product_uid=""):
    """The figures of the period (local days, both included) for the current user."""
    allowed = visible_teams()
    products = scope(context, product_uid)
    uids = {api.content.get_uuid(p): p for p in products}
    found = _store(create=False)
    total = Tally()
    by_product = {uid: Tally() for uid in uids}
    team_ids = sorted(allowed) if allowed is not None else teams.team_ids()
    by_team = {team_id: Tally() for team_id in team_ids}
    hours = [[0] * 24 for _day in range(7)]
    first_key, last_key = (first.toordinal(),), (last.toordinal() + 1,)
    if found is not None:
        rows = found.rows.values(min=first_key, max=last_key, excludemax=True)
        for row in rows:
            if row[0] in uids and (allowed is None or allowed.intersection(row[1])):
                for tally in (total, by_product[row[0]], *_teams_of(by_team, row[1])):
                    tally.add(row)
                if row[4] != "cancelled":
                    hours[row[2]][row[3]] += 1
        scores = found.scores.items(min=first_key, max=last_key, excludemax=True)
        for (_day, uid, row_teams, score), length in scores:
            if uid in uids and (allowed is None or allowed.intersection(row_teams)):
                n = length()
                for tally in (total, by_product[uid], *_teams_of(by_team, row_teams)):
                    tally.scores[score] += n
    return {
        "start": first.isoformat(),
        "end": last.isoformat(),
        "product": product_uid or None,
        "total": total.figures(),
        "busiest_hours": {"weekdays": list(range(7)), "counts": hours},
        "products": [
            {
                "uid": uid,
                "@id": product.absolute_url(),
                "title": product.Title(),
                "figures": by_product[uid].figures(),
            }
            for uid, product in uids.items()
            # A team lead sees the products of their teams, and those their
            # teams had appointments of (a product may change teams).
            if allowed is None
            or by_product[uid].booked
            or sum(by_product[uid].scores.values())
            or allowed & set(teams.product_teams(product))
        ],
        "teams": [
            {
                "id": team_id,
                "title": teams.team_title(team_id),
                "figures": by_team[team_id].figures(),
            }
            for team_id in team_ids
        ],
    }
