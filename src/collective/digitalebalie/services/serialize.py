"""JSON views of slots and appointments (no personal data beyond the citizen's own)."""

from collective.digitalebalie import settings
from collective.digitalebalie.aftercall import outcome
from collective.digitalebalie.aftercall import satisfaction
from collective.digitalebalie.booking import store
from collective.digitalebalie.booking.links import citizen_url
from collective.digitalebalie.content.counter_product import identification_method
from plone import api


def slot_json(slot):
    return {
        "start": slot.start.isoformat(),
        "end": slot.end.isoformat(),
        "available": slot.available,
    }


def appointment_json(appointment, token):
    """What the citizen may see of their own appointment."""
    product = store.product_of(appointment)
    state = api.content.get_state(appointment)
    if state == "cancelled":
        # Only that it is cancelled, and what for: no name, no contact details.
        return {
            "url": citizen_url(token),
            "state": state,
            "product": {
                "title": product.Title() if product is not None else "",
                "url": product.absolute_url() if product is not None else None,
            },
        }
    tz = settings.site_timezone()
    return {
        "url": citizen_url(token),
        "state": state,
        "start": appointment.start.astimezone(tz).isoformat(),
        "end": appointment.end.astimezone(tz).isoformat(),
        "channel": appointment.channel,
        "persons": getattr(appointment, "persons", 1) or 1,
        "fullname": appointment.fullname,
        # After the call: what happens next, and whether the question is answered.
        "outcome_note": outcome.note_of(appointment),
        "satisfaction_given": satisfaction.given(appointment),
        "language": appointment.language,
        "product": {
            "title": product.Title() if product is not None else "",
            "url": product.absolute_url() if product is not None else None,
            "price": (product.price or None) if product is not None else None,
            # Kept for clients from before eHerkenning: true when any is needed.
            "requires_identification": identification_method(product) != "none",
            "identification": identification_method(product),
        },
        "what_to_bring": [
            {
                "document": row.get("document", ""),
                "explanation": row.get("explanation", ""),
            }
            for row in (getattr(product, "required_documents", None) or [])
        ],
    }
