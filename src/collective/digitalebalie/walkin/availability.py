"""When walking in is possible: the product's walk-in hours and the employees
available for walk-ins (user id -> time of their last activity, one BTree on
the appointments folder; no personal data)."""

from BTrees.OOBTree import OOBTree
from collective.digitalebalie import multilingual
from collective.digitalebalie import settings
from collective.digitalebalie import teams
from collective.digitalebalie.booking import rules
from collective.digitalebalie.booking import store
from collective.digitalebalie.settings import now_utc
from collective.digitalebalie.storage import annotation
from collective.digitalebalie.video import notices
from datetime import datetime
from datetime import timedelta
from plone import api
from plone.protect.auto import safeWrite
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest


AVAILABLE_KEY = "collective.digitalebalie.walkin-available"  # user id -> time
IDLE_MINUTES = 15  # an employee without activity for this long is not available
TOUCH_EVERY = 60  # seconds: an employee's activity is written at most this often


# --- what the product allows -----------------------------------------------------


def offers_walk_in(product):
    return bool(getattr(multilingual.canonical(product), "walk_in", False))


def _periods(product):
    # Language independent: the translations share the canonical product's hours.
    hours = getattr(multilingual.canonical(product), "walk_in_hours", None)
    try:
        return rules.parse_periods(hours or [])
    except rules.RuleError:
        return []


def _local(now):
    return now.astimezone(settings.site_timezone())


def hours_open(product, now=None):
    """Whether the product's walk-in hours are open at ``now``."""
    local = _local(now or now_utc())
    moment = local.time()
    return any(
        p.weekday == local.weekday() and p.start <= moment < p.end
        for p in _periods(product)
    )


def opens_next(product, now=None):
    """When walk-in hours open next (aware, site time), within a week; or None."""
    local = _local(now or now_utc())
    tz = settings.site_timezone()
    for days in range(8):
        day = local.date() + timedelta(days=days)
        starts = sorted(
            p.start for p in _periods(product) if p.weekday == day.weekday()
        )
        for start in starts:
            moment = datetime.combine(day, start, tzinfo=tz)
            if moment > local:
                return moment
    return None


def max_queue(product):
    return getattr(multilingual.canonical(product), "walk_in_max_queue", None) or 20


def long_wait_minutes():
    return settings.setting("walk_in_long_wait_minutes", 20)


def products_of_teams(team_ids):
    """The walk-in products served by any of these teams: a translated one
    once, as its canonical product, which holds the queue of all its translations."""
    catalog = api.portal.get_tool("portal_catalog")
    wanted = set(team_ids)
    found = []
    for brain in catalog.unrestrictedSearchResults(portal_type="CounterProduct"):
        product = brain._unrestrictedGetObject()
        if offers_walk_in(product) and wanted & set(teams.product_teams(product)):
            found.append(product)
    return multilingual.canonical_products(found)


# --- employees available for walk-ins --------------------------------------------


def _availability():
    return annotation(store.appointments_folder(), AVAILABLE_KEY, OOBTree)


def is_available(user_id, now=None):
    since = (
        IAnnotations(store.appointments_folder()).get(AVAILABLE_KEY, {}).get(user_id)
    )
    now = (now or now_utc()).timestamp()
    return since is not None and now - since < IDLE_MINUTES * 60


def set_available(user_id, available, now=None):
    """Switch an employee on or off for walk-ins (on: counts as activity)."""
    table = _availability()
    if available:
        table[user_id] = (now or now_utc()).timestamp()
    elif user_id in table:
        del table[user_id]
    for product in products_of_teams(teams.user_teams(api.user.get(userid=user_id))):
        notices.queue_changed(product)


def touch(user_id, now=None):
    """Activity of an available employee keeps them available (written now and then)."""
    table = IAnnotations(store.appointments_folder()).get(AVAILABLE_KEY)
    now = (now or now_utc()).timestamp()
    since = table.get(user_id) if table is not None else None
    if (
        since is not None
        and now - since < IDLE_MINUTES * 60
        and now - since > TOUCH_EVERY
    ):
        table[user_id] = now


def available_employees(product, now=None):
    """The members of the product's teams who are available now.

    Only those in the availability table are looked up in the user folder
    (each lookup is a round through PAS): a join, an estimate and a take ask
    this several times.
    """
    table = IAnnotations(store.appointments_folder()).get(AVAILABLE_KEY)
    if not table:
        return []
    candidates = [user_id for user_id in table if is_available(user_id, now)]
    if not candidates:
        return []
    groups_tool = api.portal.get_tool("portal_groups")
    members = set()
    for group_id in teams.product_teams(multilingual.canonical(product)):
        group = groups_tool.getGroupById(group_id)
        if group is not None:
            members.update(group.getGroupMemberIds())
    return sorted(user_id for user_id in candidates if user_id in members)


def logged_out(event):
    """An employee who logs out is no longer available."""
    user = getattr(event, "object", None)
    user_id = user.getId() if user is not None else None
    table = IAnnotations(store.appointments_folder()).get(AVAILABLE_KEY)
    if user_id and table is not None and user_id in table:
        del table[user_id]
        # Logging out is a GET: plone.protect would undo the write otherwise.
        safeWrite(table, getRequest())
