"""Teams of counter employees, and who works which appointment.

A team is a Plone group with the global role CounterEmployee (that role opens
the agenda). A counter product names the teams that serve it. Each
appointment gives its product's teams the local role CounterTeam, and only
that role (besides managers) may see and work it: the appointment workflow
maps View, Modify and "Manage appointments" to it. The product gives its teams
the same local role, which lets them make appointments for citizens.

A new appointment goes to the team member with the fewest appointments that
day (ties: alphabetical, so the outcome is predictable). The counts live in one
small record per day; two bookings that pick the same person at the same time
conflict in ZODB and the retry sees the first.
"""

from BTrees.LOBTree import LOBTree
from BTrees.OOBTree import OOBTree
from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import settings
from collective.digitalebalie.booking import store
from collective.digitalebalie.storage import annotation
from plone import api
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest


EMPLOYEE_ROLE = "CounterEmployee"  # global: may use the agenda
TEAM_ROLE = "CounterTeam"  # local: works this appointment / serves this product
WORKLOAD_KEY = "collective.digitalebalie.workload"  # day ordinal -> {user id: n}
VIEW_ALL = "collective.digitalebalie: View all appointments"
NAMES_KEY = "collective.digitalebalie.fullnames"


def team_ids():
    """Ids of the groups that are teams: groups with the CounterEmployee role."""
    groups_tool = api.portal.get_tool("portal_groups")
    result = []
    for group_id in groups_tool.getGroupIds():
        group = groups_tool.getGroupById(group_id)
        if group is not None and EMPLOYEE_ROLE in group.getRoles():
            result.append(group_id)
    return sorted(result)


def team_title(group_id):
    group = api.group.get(groupname=group_id)
    if group is None:
        return group_id
    return group.getProperty("title") or group_id


def members(group_ids):
    """User ids of the direct members of these groups, sorted."""
    groups_tool = api.portal.get_tool("portal_groups")
    acl_users = api.portal.get_tool("acl_users")
    result = set()
    for group_id in group_ids or ():
        # The member ids as the group plugins keep them (a group's own
        # getGroupMemberIds looks each member up in full, then we did again).
        for member_id in groups_tool.getGroupMembers(group_id):
            if member_id not in result and _user_exists(acl_users, member_id):
                result.add(member_id)
    return sorted(result)


def _user_exists(acl_users, user_id):
    """Whether a user plugin knows ``user_id`` (not a group): what getUserById
    asks first, without then making the whole user (its properties, groups and
    roles), which took twenty times as long in a booking."""
    return any(
        info.get("id") == user_id
        for info in acl_users.searchUsers(id=user_id, exact_match=True)
    )


def user_teams(user=None):
    """The team ids the (current) user belongs to."""
    if user is None:
        if api.user.is_anonymous():
            return set()
        user = api.user.get_current()
    groups = set(user.getGroups() or ())
    return groups & set(team_ids())


def product_teams(product):
    return list(getattr(product, "teams", None) or [])


def fullname(user_id):
    """The employee's full name, looked up once per request (PAS lookups are slow)."""
    if not user_id:
        return ""
    request = getRequest()
    names = (
        IAnnotations(request).setdefault(NAMES_KEY, {}) if request is not None else {}
    )
    if user_id not in names:
        user = api.user.get(userid=user_id)
        names[user_id] = (user.getProperty("fullname") if user else "") or user_id
    return names[user_id]


# --- workload ----------------------------------------------------------------------


def _workload(day):
    days = annotation(store.appointments_folder(), WORKLOAD_KEY, LOBTree)
    if day not in days:
        days[day] = OOBTree()
    return days[day]


def day_loads(day):
    """user id -> their appointments that day (empty when none were counted)."""
    days = IAnnotations(store.appointments_folder()).get(WORKLOAD_KEY)
    counts = days.get(day) if days is not None and day is not None else None
    return counts if counts is not None else {}


def load(user_id, day):
    return day_loads(day).get(user_id, 0)


def _count(user_id, day, delta):
    if not user_id or day is None:
        return
    counts = _workload(day)
    value = counts.get(user_id, 0) + delta
    if value > 0:
        counts[user_id] = value
    elif user_id in counts:
        del counts[user_id]


def least_loaded(candidates, day):
    """The candidate with the fewest appointments that day (ties: by id)."""
    if not candidates:
        return None
    counts = day_loads(day)  # read once, not per candidate
    return min(sorted(candidates), key=lambda user_id: counts.get(user_id, 0))


# --- appointments ------------------------------------------------------------------


def set_team_roles(obj, group_ids):
    """Give exactly these groups the local team role on obj."""
    wanted = set(group_ids)
    for principal, roles in list(obj.get_local_roles()):
        if TEAM_ROLE in roles and principal not in wanted:
            rest = [role for role in roles if role != TEAM_ROLE]
            if rest:
                obj.manage_setLocalRoles(principal, rest)
            else:
                obj.manage_delLocalRoles([principal])
    for group_id in wanted:
        roles = set(obj.get_local_roles_for_userid(group_id))
        if TEAM_ROLE not in roles:
            obj.manage_setLocalRoles(group_id, sorted(roles | {TEAM_ROLE}))


def setup_new(appointment, product):
    """Give a new appointment its product's teams and an assignee."""
    appointment.teams = tuple(product_teams(product))
    set_team_roles(appointment, appointment.teams)
    appointment.assignee = None
    assign(
        appointment, least_loaded(members(appointment.teams), appointment.ledger_day)
    )


def walk_in_taken(appointment, product, user_id):
    """A walk-in appointment: its product's teams, and the employee who took it."""
    appointment.teams = tuple(product_teams(product))
    set_team_roles(appointment, appointment.teams)
    appointment.assignee = None
    assign(appointment, user_id)


def assign(appointment, user_id):
    """Give the appointment to user_id (None: nobody), keeping the day counts."""
    day = getattr(appointment, "ledger_day", None)
    previous = getattr(appointment, "assignee", None)
    if previous == user_id:
        return
    _count(previous, day, -1)
    _count(user_id, day, +1)
    appointment.assignee = user_id


def candidates(appointment):
    """Who the appointment can be given to: members of its teams."""
    return members(getattr(appointment, "teams", ()))


def reassign(appointment, user_id):
    """An employee hands the appointment to another member of its teams."""
    if api.content.get_state(appointment) not in ("booked", "in_progress"):
        raise errors.WrongState(_("You can no longer change this appointment."))
    if user_id not in candidates(appointment):
        raise errors.InvalidInput(
            _("Choose a member of the team."),
            {"assignee": _("Choose a member of the team.")},
        )
    assign(appointment, user_id)


def moved(appointment, old_day):
    """The appointment moved from old_day to its ledger day: move the count."""
    user_id = getattr(appointment, "assignee", None)
    if old_day != appointment.ledger_day:
        _count(user_id, old_day, -1)
        _count(user_id, appointment.ledger_day, +1)


def released(appointment):
    """Cancelled or deleted: it no longer counts for the assignee."""
    _count(
        getattr(appointment, "assignee", None),
        getattr(appointment, "ledger_day", None),
        -1,
    )


def sync_product(product, event=None):
    """After a product's teams changed: its local roles and its coming appointments'.

    (Its open dossiers follow too: ``dossiers.follow_product_teams``.)
    """
    teams = product_teams(product)
    set_team_roles(product, teams)
    # The ledger of all its translations (multilingual.py).
    ledger = store.ledger_of(product)
    if not ledger:
        return
    tz = settings.site_timezone()
    today = settings.now_utc().astimezone(tz).date()
    folder = store.appointments_folder()
    for record in ledger.values(min=today.toordinal()):
        for _start, _end, appointment_id in record.entries:
            appointment = folder._getOb(appointment_id, None)
            if appointment is None or tuple(teams) == getattr(appointment, "teams", ()):
                continue
            appointment.teams = tuple(teams)
            set_team_roles(appointment, teams)
            if getattr(appointment, "assignee", None) not in members(teams):
                assign(
                    appointment, least_loaded(members(teams), appointment.ledger_day)
                )


# The old name (dossiers used it before it was public).
_set_team_roles = set_team_roles


# --- listeners of the booking ------------------------------------------------------


def appointment_booked(appointment, event):
    setup_new(appointment, event.product)


def appointment_moved(appointment, event):
    moved(appointment, event.old_day)
