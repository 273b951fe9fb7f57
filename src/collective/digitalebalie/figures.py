"""The figures of a period, for the statistics page and @counter-statistics.

They are sums of the records ``statistics.py`` keeps per day, product and
team: counts only, no personal data. Managers see every team; team leads
(role CounterTeamLead) the teams they are in.
"""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import settings
from collective.digitalebalie import statistics
from collective.digitalebalie import teams
from collective.digitalebalie.booking.input import parse_day
from collective.digitalebalie.statistics import CHANNELS
from collective.digitalebalie.statistics import COUNT
from collective.digitalebalie.statistics import COUNTS
from collective.digitalebalie.statistics import SCHEMES
from collective.digitalebalie.statistics import SCORES
from collective.digitalebalie.statistics import WIDTH
from datetime import timedelta
from plone import api
import math
import operator
import statistics as pystatistics


MAX_DAYS = 366
DEFAULT_DAYS = 30


# --- the request -----------------------------------------------------------------


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
        raise errors.Forbidden(
            _("Only managers and team leads may see the statistics.")
        )
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
    """The counts of one product, team or the whole choice."""

    __slots__ = ("counts", "waits")

    def __init__(self):
        self.counts = [0] * WIDTH
        self.waits = []

    def add(self, counts, waits):
        self.counts = list(map(operator.add, self.counts, counts))
        self.waits.extend(waits)

    def figures(self):
        c = {name: self.counts[index] for name, index in COUNT.items()}
        held = c["booked"] - c["cancelled"]
        identified = sum(c[scheme] for scheme in SCHEMES)
        scores = {score: c[f"score_{score}"] for score in SCORES}
        return {
            "booked": c["booked"],
            "completed": c["completed"],
            "open": c["open"],
            "cancelled": {
                "total": c["cancelled"],
                "by_citizen": c["by_citizen"],
                "by_staff": c["by_staff"],
            },
            "no_show": c["no_show"],
            "staff_made": c["staff_made"],
            "walk_ins": {
                "count": c["walk_ins"],
                "waiting_median_seconds": median(self.waits),
                "waiting_p90_seconds": percentile(self.waits, 90),
            },
            "channels": {channel: c[channel] for channel in CHANNELS},
            "identified": {
                **{scheme: c[scheme] for scheme in SCHEMES},
                "total": identified,
                # Of the appointments that were not cancelled.
                "share": round(identified / held, 4) if held else None,
            },
            "payments": {
                "asked": {"count": c["asked"], "amount_cents": c["asked_cents"]},
                "paid": {"count": c["paid"], "amount_cents": c["paid_cents"]},
            },
            "satisfaction": satisfaction_figures(scores),
        }


# --- answers nobody can recognise ----------------------------------------------------

# A team lead who picks one day may find one answer: its score belongs to the
# one citizen they spoke to. Fewer answers than this in a group, and the
# group's scores are not shown (how many answered is).
MIN_ANSWERS = 5


def satisfaction_figures(scores):
    count = sum(scores.values())
    if 0 < count < MIN_ANSWERS:
        return {"count": count, "mean": None, "distribution": None, "hidden": True}
    total = sum(score * n for score, n in scores.items())
    return {
        "count": count,
        "mean": round(total / count, 2) if count else None,
        "distribution": {str(s): scores[s] for s in SCORES},
        "hidden": False,
    }


def hide(found):
    found.update(mean=None, distribution=None, hidden=True)


def hide_complements(total, groups):
    """The total minus the groups shown must not give a hidden group away:
    while the hidden ones hold fewer than MIN_ANSWERS answers together, the
    smallest shown group is hidden too, and the total when none is left."""
    hidden = sum(g["count"] for g in groups if g["hidden"])
    shown = sorted(
        (g for g in groups if not g["hidden"] and g["count"]), key=lambda g: g["count"]
    )
    while 0 < hidden < MIN_ANSWERS:
        if not shown:
            if total["count"]:
                hide(total)
            return
        smallest = shown.pop(0)
        hide(smallest)
        hidden += smallest["count"]


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


def _groups(found, first, last, uids, allowed):
    """{(product uid, teams, weekday): (counts, waits)} of the period: the days
    added up first (a few thousand tuples, in C), the tallies after."""
    groups = {}
    if found is None:
        return groups
    days = found.days.items(
        min=(first.toordinal(),), max=(last.toordinal() + 1,), excludemax=True
    )
    for (day, uid, row_teams), record in days:
        if uid not in uids or (allowed is not None and not allowed & set(row_teams)):
            continue
        key = (uid, row_teams, (day - 1) % 7)  # the weekday: ordinal 1 is a Monday
        counts, waits = record.counts, record.waits
        if key in groups:
            before, waited = groups[key]
            groups[key] = (list(map(operator.add, before, counts)), waited + waits)
        else:
            groups[key] = (counts, waits)
    return groups


def compute(context, first, last, product_uid=""):
    """The figures of the period (local days, both included) for the current user."""
    allowed = visible_teams()
    products = scope(context, product_uid)
    uids = {api.content.get_uuid(p): p for p in products}
    total = Tally()
    by_product = {uid: Tally() for uid in uids}
    team_ids = sorted(allowed) if allowed is not None else teams.team_ids()
    by_team = {team_id: Tally() for team_id in team_ids}
    hours = [[0] * 24 for _day in range(7)]
    groups = _groups(statistics.get_store(create=False), first, last, uids, allowed)
    for (uid, row_teams, weekday), (counts, waits) in groups.items():
        for tally in (
            total,
            by_product[uid],
            *(by_team[t] for t in row_teams if t in by_team),
        ):
            tally.add(counts, waits)
        hours[weekday] = list(map(operator.add, hours[weekday], counts[len(COUNTS) :]))
    result = {
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
            or any(by_product[uid].counts)
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
    for kind in ("products", "teams"):
        hide_complements(
            result["total"]["satisfaction"],
            [item["figures"]["satisfaction"] for item in result[kind]],
        )
    return result
