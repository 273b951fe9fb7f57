"""What the municipality learns from its counter: figures per product and team.

Every appointment has one *row* of facts, without personal data (product,
teams, local day, weekday and hour, state, who cancelled, channel, staff-made,
walk-in and its wait, identified with which scheme, payments asked and paid).
The row is written when something about the appointment changes (booked,
moved, a workflow step, a payment, an identification; see ``note``), so the
figures are counted before the retention job removes the personal data and the
dossier with its payments, and a year of 100,000 appointments is read from one
BTree without opening any appointment (``bench/bench_statistics.py``).

Rows live in one OOBTree keyed ``(day ordinal, appointment id)``; each change
of a row also changes the sums of its day, product and teams (``DaySums``),
which a period's figures add up: a year is a few thousand of them, whatever the
number of appointments. Changes of one product's day meet in one record, which
merges concurrent changes (they only add and take away).

Satisfaction answers are only counted in those sums, by the day of the answer:
an answer is never linked to its appointment (see ``aftercall/satisfaction.py``).
"""

from BTrees.OOBTree import OOBTree
from collections import Counter
from collective.digitalebalie import settings
from collective.digitalebalie.booking import store
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.integrations import identification
from collective.digitalebalie.integrations import payments
from collective.digitalebalie.storage import annotation
from persistent import Persistent
from plone import api
from ZODB.POSException import ConflictError
from zope.annotation.interfaces import IAnnotations


KEY = "collective.digitalebalie.statistics"
VIEW_STATISTICS = "collective.digitalebalie: View statistics"
TEAM_LEAD_ROLE = "CounterTeamLead"
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


# The counts of a day's aggregate, in order; then 24 counts per starting hour
# (appointments not cancelled), for the heat map.
COUNTS = (
    "booked",
    "completed",
    "open",
    "cancelled",
    "by_citizen",
    "by_staff",
    "no_show",
    "staff_made",
    "walk_ins",
    *CHANNELS,
    *SCHEMES,
    "asked",
    "asked_cents",
    "paid",
    "paid_cents",
    # Satisfaction answers given that day, by score (not the appointment's day).
    *(f"score_{score}" for score in SCORES),
)
COUNT = {name: index for index, name in enumerate(COUNTS)}
WIDTH = len(COUNTS) + 24


class Store(Persistent):
    """The rows of all appointments, their sums per day and the satisfaction
    counts; made once."""

    def __init__(self):
        self.rows = OOBTree()  # (day ordinal, appointment id) -> row tuple
        # (day ordinal, product uid, teams) -> DaySums: what a period's figures
        # add up, a few thousand a year (not 100,000 rows).
        self.days = OOBTree()


def counts_of(row):
    """What one row adds to its day's counts."""
    state, who, channel, scheme = row[4], row[5], row[7], row[10]
    counts = [0] * WIDTH
    counts[COUNT["booked"]] = 1
    if state in ("booked", "in_progress"):
        counts[COUNT["open"]] = 1
    elif state in ("completed", "cancelled", "no_show"):
        counts[COUNT[state]] = 1
    if who:
        counts[COUNT["by_" + who]] = 1
    counts[COUNT["staff_made"]] = int(row[6])
    counts[COUNT["walk_ins"]] = int(row[8])
    counts[COUNT[channel]] = 1
    if scheme:
        counts[COUNT[scheme]] = 1
    counts[COUNT["asked"]] = row[FIELD["asked_count"]]
    counts[COUNT["asked_cents"]] = row[FIELD["asked_cents"]]
    counts[COUNT["paid"]] = row[FIELD["paid_count"]]
    counts[COUNT["paid_cents"]] = row[FIELD["paid_cents"]]
    if state != "cancelled":
        counts[len(COUNTS) + row[3]] = 1
    return counts


class DaySums(Persistent):
    """The sums of one day, product and team set: counts and the walk-ins' waits.

    Every change of an appointment of that product and day writes it, as
    concurrent bookings of different times of that day do; they only add
    and take away, so two such transactions merge here instead of one of them
    starting again (the booking ledger merges them too, see store.py).
    """

    def __init__(self):
        self.counts = (0,) * WIDTH
        self.waits = ()

    def _p_resolveConflict(self, old, committed, mine):
        states = (old, committed, mine)
        if not all(
            isinstance(state, dict)
            and set(state) == {"counts", "waits"}
            and len(state["counts"]) == WIDTH
            for state in states
        ):
            raise ConflictError("DaySums: unexpected state")
        counts = tuple(
            c + m - o
            for o, c, m in zip(
                old["counts"], committed["counts"], mine["counts"], strict=True
            )
        )
        waits = Counter(committed["waits"])
        waits.update(Counter(mine["waits"]) - Counter(old["waits"]))
        waits.subtract(Counter(old["waits"]) - Counter(mine["waits"]))
        return {"counts": counts, "waits": tuple(sorted(waits.elements()))}


def add_to_day(days, day, row, sign, change=None):
    """Add (sign 1) or take away (-1) a row's counts (or ``change``) to its day."""
    key = (day, row[0], row[1])
    record = days.get(key)
    if record is None:
        record = days[key] = DaySums()
    change = counts_of(row) if change is None else change
    record.counts = tuple(
        a + sign * b for a, b in zip(record.counts, change, strict=True)
    )
    waited = row[9] if len(row) > 9 and row[8] else None
    if waited is not None:
        waits = list(record.waits)
        if sign > 0:
            waits.append(waited)
        elif waited in waits:
            waits.remove(waited)
        record.waits = tuple(sorted(waits))


def get_store(create=True):
    folder = store.appointments_folder()
    if create:
        return annotation(folder, KEY, Store)
    return IAnnotations(folder).get(KEY)


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
    identity = identification.identity_of(appointment)  # None when unreadable
    if not isinstance(identity, dict):
        return ""
    scheme = identity.get("scheme")  # "digid" for identities from before eHerkenning
    return scheme if scheme in SCHEMES else ""


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
    found = get_store()
    rows = found.rows
    day = appointment.start.astimezone(settings.site_timezone()).date().toordinal()
    key = (day, appointment.getId())
    old_key = getattr(appointment, "statistics_key", None)
    previous = rows.get(old_key) if old_key is not None else None
    row = row_of(appointment, previous)
    if old_key != key or previous != row:
        if previous is not None:
            del rows[old_key]
            add_to_day(found.days, old_key[0], previous, -1)
        rows[key] = row
        add_to_day(found.days, day, row, +1)
    if old_key != key:
        appointment.statistics_key = key


def note_answer(appointment, day, score):
    """A satisfaction answer: one more for (day of the answer, product, teams)."""
    change = [0] * WIDTH
    change[COUNT[f"score_{score}"]] = 1
    group = (
        appointment.product_uid,
        tuple(sorted(getattr(appointment, "teams", None) or ())),
    )
    add_to_day(get_store().days, day.toordinal(), group, +1, change)


def appointment_changed(appointment, event=None):
    """Subscriber: booked, moved, a workflow step, an edit, a payment, an identification."""
    if getattr(event, "transition", True) is None:
        return  # the workflow's start, at creation: AppointmentBooked follows
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
