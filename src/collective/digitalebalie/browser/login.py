"""Counter employees start their day at the agenda."""

from collective.digitalebalie import teams
from plone import api
from plone.base.interfaces import IRedirectAfterLogin
from urllib.parse import urlsplit
from zope.interface import implementer


# Pages that are no destination of their own: after them, the agenda.
NOT_A_DESTINATION = ("", "login", "login_form", "logged_out", "logout", "view")


@implementer(IRedirectAfterLogin)
class AgendaAfterLogin:
    """After Plone's login form: an employee of a team who came for no page in
    particular (the home page, the login page) lands on the agenda; one who
    came for another page goes there, as everyone else does."""

    def __init__(self, context, request):
        self.context = context
        self.request = request

    def __call__(self, came_from=None, is_initial_login=False):
        if not teams.user_teams():
            return came_from
        portal = api.portal.get().absolute_url()
        if came_from and not self._is_the_home_page(came_from, portal):
            return came_from
        return f"{portal}/@@agenda"

    @staticmethod
    def _is_the_home_page(url, portal):
        path = urlsplit(url).path.rstrip("/")
        home = urlsplit(portal).path.rstrip("/")
        if path == home:
            return True
        rest = path[len(home) + 1 :] if path.startswith(home + "/") else None
        return rest is not None and rest.lstrip("@") in NOT_A_DESTINATION
