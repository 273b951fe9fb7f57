"""One gate for every REST call on a site with the add-on, before the service runs.

Cross-site requests. plone.restapi checks no CSRF token, and ``++api++`` makes
any request a REST call, so another site could make a logged-in employee's
browser cancel an appointment with a plain form or a no-cors fetch. A write
(POST, PATCH, PUT, DELETE) that rides on credentials the browser adds by itself
(the ``__ac`` login cookie, a JWT cookie) is refused unless it comes from this
site (``Origin``, or ``Referer`` when there is no ``Origin``) as
``application/json``, which no other site can send without CORS consent; only
upload services also take ``multipart/form-data``. A request with an
``Authorization`` header carries its credentials on purpose and is not
refused, nor is an anonymous request (the citizen's token services).

Bodies. A body that is not a form (or a tus upload) is at most 1 MB (413)
and, when it is not empty, one JSON object without lone surrogates (400; 415
when it was not even sent as JSON): the services and plone.restapi's own
parse it, and deep nesting or a bare ``null`` would otherwise end in a 500.
"""

from collective.digitalebalie import _
from collective.digitalebalie.interfaces import IDigitaleBalieLayer
from collective.digitalebalie.services.errors import error_body
from plone import api
from plone.rest.interfaces import IAPIRequest
from plone.rest.interfaces import IService
from urllib.parse import urlsplit
from zope.component import adapter
import json


UNSAFE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
# Forms are parsed (and limited) by Zope; a tus upload (plone.restapi) is
# binary and limited by its own setting.
NOT_JSON = frozenset(
    {
        "multipart/form-data",
        "application/x-www-form-urlencoded",
        "application/offset+octet-stream",
    }
)
MAX_BODY = 1024 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}


class RequestRefused(Exception):
    """Raised after traversal; RefusedView answers it in the add-on's error format."""

    def __init__(self, status, type_, message):
        super().__init__(type_)
        self.status = status
        self.type = type_
        self.message = message


@adapter(RequestRefused, IDigitaleBalieLayer)
class RefusedView:
    """The exception view: the JSON error body with the refusal's status."""

    def __init__(self, context, request):
        self.context = context
        self.request = request

    def __call__(self):
        error = self.context
        response = self.request.response
        body = json.dumps(
            error_body(self.request, error.status, error.type, error.message)
        )
        # Locked, as plone.rest's error view does: the publisher would
        # otherwise turn the status of an unknown exception into a 500.
        response.setStatus(error.status, lock=True)
        response.setHeader("Content-Type", "application/json")
        response.setHeader("Cache-Control", "no-store")
        response.setBody(body, lock=True)
        return body


def media_type(request):
    value = request.getHeader("Content-Type") or ""
    return value.split(";", 1)[0].strip().lower()


def _origin(url):
    """(scheme, host, port) of a URL, or None when it has none."""
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except (ValueError, AttributeError):
        return None
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port


def same_origin(request):
    """True when Origin (or, without it, Referer) names this site's own origin."""
    site = _origin(request.get("SERVER_URL", ""))
    sent = request.getHeader("Origin") or request.getHeader("Referer")
    return site is not None and bool(sent) and _origin(sent) == site


# The cookies a browser adds by itself that log a user in: Plone's session
# (plone.session, also behind the employee SSO) and plone.restapi's JWT cookie.
LOGIN_COOKIES = ("__ac", "auth_token")


def _login_cookies(request):
    names = set(LOGIN_COOKIES)
    session = getattr(api.portal.get().acl_users, "session", None)
    name = getattr(session, "cookie_name", None)
    if isinstance(name, str) and name:
        names.add(name)
    return names


def rides_on_ambient_credentials(request):
    """Logged in by a cookie: not through an Authorization header, nor by the
    login and password of the body itself (``POST @login``)."""
    # Zope keeps the Authorization header in ``_auth``, not among the headers.
    if getattr(request, "_auth", None) or api.user.is_anonymous():
        return False
    cookies = getattr(request, "cookies", None) or {}
    return any(name in cookies for name in _login_cookies(request))


def _has_lone_surrogate(data):
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= char <= "\udfff" for char in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _body(request):
    """At most MAX_BODY + 1 bytes of the body; the stream is left at its start."""
    stream = getattr(request, "stdin", None)
    if stream is None:
        return b""
    stream.seek(0)
    data = stream.read(MAX_BODY + 1)
    stream.seek(0)
    return data


def check_body(request):
    data = _body(request)
    if len(data) > MAX_BODY:
        raise RequestRefused(
            413, "PayloadTooLarge", _("The request is too large. Send at most 1 MB.")
        )
    if not data.strip():
        return
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError):
        if media_type(request) not in ("application/json", ""):
            # Sent as something else, and not JSON: say what to send.
            raise RequestRefused(
                415,
                "UnsupportedMediaType",
                _("Send JSON (Content-Type: application/json)."),
            ) from None
        raise RequestRefused(
            400, "ValidationError", _("The request is not valid JSON.")
        ) from None
    if not isinstance(parsed, dict):
        raise RequestRefused(400, "ValidationError", _("Send a JSON object."))
    if _has_lone_surrogate(parsed):
        raise RequestRefused(
            400,
            "ValidationError",
            _("The text holds characters that are not allowed."),
        )


def check_json_body(site, event):
    """IBeforeTraverseEvent of the site: a JSON body is checked before the login.

    plone.restapi's JWT plugin parses every ``application/json`` body while
    it looks for credentials, before the service is even found: a deeply
    nested body or a bare ``null`` would end there in a 500. Registered after
    plone.browserlayer's subscriber, so the add-on's layer is known here.
    """
    request = event.request
    if getattr(request, "_digitalebalie_body_checked", False):
        return
    if IDigitaleBalieLayer.providedBy(request) and media_type(request) == (
        "application/json"
    ):
        request._digitalebalie_body_checked = True
        check_body(request)


def check_request(event):
    """IPubAfterTraversal: refuse a REST write that is cross-site or malformed."""
    request = event.request
    if not IDigitaleBalieLayer.providedBy(request) or not IAPIRequest.providedBy(
        request
    ):
        return
    if request.get("REQUEST_METHOD", "GET").upper() not in UNSAFE_METHODS:
        return
    published = request.get("PUBLISHED")
    if not IService.providedBy(published):
        # A classic view reached with "Accept: application/json" (Plone's own
        # pages use such calls): plone.protect guards it with its token.
        return
    media = media_type(request)
    if rides_on_ambient_credentials(request):
        uploads = media == "multipart/form-data" and getattr(
            published, "accepts_uploads", False
        )
        if not same_origin(request) or not (media == "application/json" or uploads):
            raise RequestRefused(
                403,
                "CSRFRefused",
                _(
                    "This change is refused: it did not come from a page of this "
                    "site. Send it from this site as JSON (Content-Type: "
                    "application/json), or log in with an Authorization header."
                ),
            )
    if media not in NOT_JSON and not getattr(
        request, "_digitalebalie_body_checked", False
    ):
        check_body(request)
