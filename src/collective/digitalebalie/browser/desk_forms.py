"""The forms of the employee's desk without JavaScript: do, then reload.

With JavaScript the page sends the same actions to the REST services
(services/), which answer JSON and leave the page (and the call) in place.
"""

from collective.digitalebalie import errors
from plone import api
import transaction


def answer(view, action, done):
    """Do ``action``; back to the appointment page, saying ``done`` or the error.

    ``done`` may be a function of what the action returned.
    """
    try:
        result = action()
    except errors.UserError as error:
        transaction.doom()
        api.portal.show_message(error.message, request=view.request, type="error")
    else:
        message = done(result) if callable(done) else done
        api.portal.show_message(message, request=view.request)
    view.request.response.redirect(view.context.absolute_url())
    return ""
