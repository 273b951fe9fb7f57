"""The counter employees' agenda: appointments by day, assignee and team.

Appointments are not catalogued (see content/appointment.py): the agenda reads
the booking ledgers of the products a scope covers, which hold every
appointment that is not cancelled, by day (and, on request, each product's
list of cancelled appointments by day).
"""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import multilingual
from collective.digitalebalie import settings
from collective.digitalebalie import teams
from collective.digitalebalie.booking import store
from collective.digitalebalie.booking.input import MAX_NOTES
from collective.digitalebalie.booking.input import check_range
from collective.digitalebalie.dossiers import dossiers
from plone import api


SCOPES = ("mine", "team", "all")
ACTIONS = ("start", "complete", "no_show", "cancel")


class Forbidden(errors.UserError):
    type = "Forbidden"
    status = 403


def may_see_all():
    return api.user.has_permission(teams.VIEW_ALL, obj=api.portal.get())


def all_products():
    """Every product once: of a translated product its canonical one, which
    holds the ledger of all its translations (multilingual.py)."""
    with api.env.adopt_roles(["Manager"]):
        return multilingual.canonical_products(
            [
                brain.getObject()
                for brain in api.content.find(
                    portal_type="CounterProduct", sort_on="sortable_title"
                )
            ]
        )


def products_for(scope):
    """The products whose appointments this scope covers for the current user."""
    if scope == "all":
        if not may_see_all():
            raise Forbidden(_("Only managers may see the appointments of all teams."))
        return all_products()
    mine = teams.user_teams()
    return [p for p in all_products() if mine & set(teams.product_teams(p))]


def check_scope(scope):
    if scope not in SCOPES:
        raise errors.InvalidInput(
            _("Choose mine, team or all."), {"scope": _("Choose mine, team or all.")}
        )
    return scope


def entries(scope, first, last, query="", cancelled=False):
    """(appointment, product) pairs of the scope from first to last, by start;
    with ``cancelled``, the cancelled appointments of those days too."""
    check_scope(scope)
    check_range(first, last)
    user_id = api.user.get_current().getId()
    words = (query or "").casefold().split()
    result = []
    for product in products_for(scope):
        listed = store.listing(product, first, last)
        if cancelled:
            listed += store.cancelled_listing(product, first, last)
        for appointment in listed:
            if scope == "mine" and getattr(appointment, "assignee", None) != user_id:
                continue
            if not api.user.has_permission("View", obj=appointment):
                continue
            name = (appointment.fullname or "").casefold()
            if any(word not in name for word in words):
                continue
            result.append((appointment, product))
    result.sort(key=lambda pair: pair[0].start)
    return result


def item_json(appointment, product):
    tz = settings.site_timezone()
    assignee = getattr(appointment, "assignee", None)
    return {
        "@id": appointment.absolute_url(),
        "id": appointment.getId(),
        "start": appointment.start.astimezone(tz).isoformat(),
        "end": appointment.end.astimezone(tz).isoformat(),
        "state": api.content.get_state(appointment),
        "channel": appointment.channel,
        "persons": getattr(appointment, "persons", 1) or 1,
        "product": {"@id": product.absolute_url(), "title": product.Title()},
        "assignee": {"id": assignee, "fullname": teams.fullname(assignee)}
        if assignee
        else None,
        "fullname": appointment.fullname,
        "language": appointment.language,
        "dossier": dossier_url(appointment),
    }


def dossier_url(appointment):
    dossier_id = getattr(appointment, "dossier_id", None)
    if not dossier_id:
        return None
    return f"{api.portal.get().absolute_url()}/{dossiers.FOLDER_ID}/{dossier_id}"


def find(appointment_id):
    """An appointment the current user may work, or raise NotFound."""
    folder = store.appointments_folder()
    appointment = folder._getOb(appointment_id, None) if appointment_id else None
    if appointment is None or not api.user.has_permission(
        "collective.digitalebalie: Manage appointments", obj=appointment
    ):
        raise errors.NotFound(_("This appointment is not in your agenda."))
    return appointment


def refuse_early_no_show(appointment, now=None):
    """ "Did not come" is a fact only once the time has begun (agenda, desk, REST)."""
    if appointment.start > (now or settings.now_utc()):
        raise errors.WrongState(
            _(
                "You can mark that the citizen did not come once the appointment has started."
            )
        )


def act(appointment, action, message="", now=None):
    """Do a workflow action of the agenda; raise a BookingError when it cannot be done."""
    if action not in ACTIONS:
        raise errors.InvalidInput(_("Unknown action."))
    available = {
        t["id"]
        for t in api.portal.get_tool("portal_workflow").getTransitionsFor(appointment)
    }
    if action not in available:
        raise errors.WrongState(
            _("This cannot be done with this appointment (any more).")
        )
    if action == "no_show":
        refuse_early_no_show(appointment, now)
    if action == "cancel":
        message = (message or "").strip()
        if len(message) > MAX_NOTES:
            raise errors.InvalidInput(
                _(
                    "Use at most ${max} characters.",
                    mapping={"max": MAX_NOTES},
                ),
                {
                    "message": _(
                        "Use at most ${max} characters.",
                        mapping={"max": MAX_NOTES},
                    )
                },
            )
        appointment.cancel_message = message
    api.content.transition(appointment, transition=action)
