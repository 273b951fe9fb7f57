"""Single sign-on for counter employees through OpenID Connect (pas.plugins.oidc).

Off by default; the normal Plone login keeps working. Citizens never become
members: they identify with DigiD (integrations/digid.py), which has its own
settings, secret and callback.

What pas.plugins.oidc 2.0.0 does, read in its source: its callback only *logs*
a state that does not match, and pyoidc skips the nonce check for a client
made per request (as the plugin makes them); state, nonce and PKCE verifier
live in an unsigned cookie; its install profile puts its challenge on top, so
every "not allowed" of an anonymous visitor goes to the provider; and with
``create_groups`` it adds the user to any group the provider names,
Administrators included. Its REST services (``@login-oidc``) serve every
OIDC plugin in acl_users, without a layer.

So the add-on does not install that profile. While SSO is on, it keeps one
plugin object in acl_users, configured from the control panel, and uses what
the plugin does well: the OpenID client (discovery, keys, code exchange with
PKCE, signature, audience and expiry of the ID token), user creation and the
Plone session. The login and callback views are the add-on's own and refuse
what the plugin lets through: a wrong or reused state, a wrong nonce or
issuer, a user name that belongs to a local account, an ID token signed with
an algorithm the provider's metadata does not name (pyoidc accepts
``alg: none``, and HS256 keyed with the client secret, from any provider), and
provider addresses that are not https (http only on this machine). The
provider's groups map only to the CounterEmployee role and to teams, as the
settings say.
"""

from BTrees.OOBTree import OOTreeSet
from collective.digitalebalie import _
from collective.digitalebalie import credentials
from collective.digitalebalie import logger
from collective.digitalebalie import teams
from collective.digitalebalie.integrations import oidc
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from collective.digitalebalie.settings import setting
from collective.digitalebalie.storage import annotation
from plone import api
import base64
import hashlib
import hmac
import json
import jwt
import re
import secrets
import time
import urllib.parse


PLUGIN_ID = "digitalebalie-sso"
COOKIE = "__digitalebalie_sso"
PENDING_SECONDS = 600  # time to log in at the provider
USERS_KEY = "collective.digitalebalie.sso-users"  # on the portal: user ids made by SSO
# A user name Plone can show and put in a URL; no spaces, no slashes.
USER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")


class SsoRefused(Exception):
    """A login that is not let in: ``message`` for the person, ``reason`` for the log."""

    def __init__(self, message, reason, status=400):
        super().__init__(reason)
        self.message = message
        self.reason = reason
        self.status = status


def enabled():
    return bool(
        setting("sso_enabled") and setting("sso_issuer") and setting("sso_client_id")
    )


def callback_url():
    return f"{api.portal.get().absolute_url()}/@@sso-callback"


def _scopes():
    scopes = (setting("sso_scope") or "").split()
    return tuple(["openid"] + [s for s in scopes if s != "openid"])


def _wanted_properties():
    return {
        "issuer": (setting("sso_issuer") or "").rstrip("/"),
        "client_id": setting("sso_client_id") or "",
        # Never a copy of the secret: the ZMI shows a plugin's properties.
        # _plugin_and_client gives it to the OpenID client at use time.
        "client_secret": "",
        "redirect_uris": (callback_url(),),
        "scope": _scopes(),
        "use_pkce": True,
        "use_session_data_manager": False,
        "create_user": True,
        # Never: the provider would choose any group, Administrators too.
        "create_groups": False,
        "allowed_groups": (),
        "create_ticket": True,
        "create_restapi_ticket": False,
        "user_property_as_userid": setting("sso_userid_claim") or "sub",
        "user_property_as_groupid": setting("sso_groups_claim") or "groups",
    }


def sync_plugin():
    """Make the plugin in acl_users match the settings; remove it when SSO is off.

    Returns the plugin, or None. Writes only what changed.
    """
    pas = api.portal.get_tool("acl_users")
    current = pas._getOb(PLUGIN_ID, None)
    if not enabled():
        if current is not None:
            pas._delObject(PLUGIN_ID)
            logger.info("Employee SSO is off: plugin %s removed", PLUGIN_ID)
        return None
    from pas.plugins.oidc.plugins import OIDCPlugin

    if current is None:
        # No PAS interface is activated: no challenge, no extraction. The
        # add-on's own views do the login, so Plone's login form stays.
        pas._setObject(
            PLUGIN_ID, OIDCPlugin(PLUGIN_ID, "Digitale Balie: employee login (SSO)")
        )
        current = pas._getOb(PLUGIN_ID)
        logger.info("Employee SSO is on: plugin %s added", PLUGIN_ID)
    for key, value in _wanted_properties().items():
        if current.getProperty(key) != value:
            current._updateProperty(key, value)
    return current


def settings_changed(event):
    """A registry record changed: follow it when it is one of SSO's."""
    name = getattr(event.record, "__name__", "") or ""
    if name.startswith(IDigitaleBalieSettings.__identifier__ + ".sso_"):
        sync_plugin()


# --- the pending login, in a cookie of the employee's browser --------------------------


def _portal_path():
    return "/" + api.portal.get().absolute_url_path().strip("/")


def _encode(data):
    raw = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=")
    return raw.decode("ascii")


def _decode(value):
    try:
        padded = value + "=" * (-len(value) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, AttributeError):
        return None
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), str) for k in ("state", "nonce", "verifier")
    ):
        return None
    if not isinstance(data.get("created"), int | float):
        return None
    if time.time() - data["created"] > PENDING_SECONDS:
        return None
    return data


def _forget_pending(request):
    request.response.expireCookie(COOKIE, path=_portal_path())


def _safe_came_from(came_from):
    portal_url = api.portal.get_tool("portal_url")
    if isinstance(came_from, str) and came_from and portal_url.isURLInPortal(came_from):
        return came_from
    return ""


def _plugin_and_client():
    """The plugin and its OpenID client (which reads the provider's metadata)."""
    plugin = sync_plugin()
    if plugin is None:
        raise SsoRefused(
            _("Logging in with the organisation account is not switched on."),
            "SSO is off",
        )
    from pas.plugins.oidc.plugins import OAuth2ConnectionException

    not_set_up = _(
        "Logging in with the organisation account is not set up "
        "completely. Ask the administrator."
    )
    if not oidc.address_ok(plugin.getProperty("issuer")):
        # Before discovery: nothing is fetched from an unencrypted address.
        raise SsoRefused(not_set_up, "the issuer is not https", status=503)
    try:
        client = plugin.get_oauth2_client()
    except OAuth2ConnectionException:
        raise SsoRefused(
            _(
                "The login service cannot be reached at the moment. Please try again later."
            ),
            "provider not reachable (discovery)",
            status=503,
        ) from None
    bad = oidc.bad_address(client.provider_info)
    if bad:
        raise SsoRefused(not_set_up, f"{bad} in the metadata is not https", status=503)
    client.client_secret = credentials.get_secret("sso_client_secret")
    return plugin, client


def start(request):
    """The address of the provider's login page; remembers state, nonce and PKCE."""
    plugin, client = _plugin_and_client()
    pending = {
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": secrets.token_urlsafe(64),
        "came_from": _safe_came_from(request.form.get("came_from")),
        "created": int(time.time()),
    }
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(pending["verifier"].encode()).digest()
    ).rstrip(b"=")
    args = {
        "client_id": plugin.getProperty("client_id"),
        "response_type": "code",
        "scope": list(plugin.getProperty("scope")),
        "redirect_uri": callback_url(),
        "state": pending["state"],
        "nonce": pending["nonce"],
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
    }
    url = client.construct_AuthorizationRequest(request_args=args).request(
        client.authorization_endpoint
    )
    request.response.setCookie(
        COOKIE,
        _encode(pending),
        path=_portal_path(),
        http_only=True,
        # Lax: the provider sends the browser back with a top-level GET.
        same_site="Lax",
        secure=request.get("SERVER_URL", "").startswith("https://"),
        max_age=PENDING_SECONDS,
    )
    return url


def _claims(request, pending):
    """Exchange the code; the verified claims of the ID token (and userinfo)."""
    from oic.oic.message import AccessTokenResponse
    from oic.oic.message import AuthorizationResponse
    from oic.oic.message import OpenIDSchema

    unchecked = _(
        "The answer of the login service could not be checked. Please try again."
    )
    state = request.form.get("state")
    code = request.form.get("code")
    if not isinstance(code, str) or not code:
        raise SsoRefused(unchecked, "no code in the answer")
    plugin, client = _plugin_and_client()
    try:
        client.parse_response(
            AuthorizationResponse,
            info=urllib.parse.urlencode({"code": code, "state": state}),
            sformat="urlencoded",
        )
        # pyoidc checks the signature (the provider's keys), audience, expiry.
        answer = client.do_access_token_request(
            state=state,
            request_args={
                "code": code,
                "redirect_uri": callback_url(),
                "code_verifier": pending["verifier"],
            },
            authn_method="client_secret_basic",
        )
    except Exception as error:  # noqa: BLE001 - pyoidc raises many kinds
        raise SsoRefused(
            unchecked, f"code exchange or ID token: {type(error).__name__}: {error}"
        ) from None
    if not isinstance(answer, AccessTokenResponse) or "id_token" not in answer:
        raise SsoRefused(unchecked, f"no ID token: {str(answer)[:300]}")
    try:
        # pyoidc checked a signature only when the token has one it likes.
        oidc.check_algorithm(str(answer.get("id_token_jwt", "")), client.provider_info)
    except jwt.PyJWTError as error:
        raise SsoRefused(unchecked, str(error)) from None
    id_token = answer["id_token"]
    issuer = plugin.getProperty("issuer")
    if str(id_token.get("iss", "")).rstrip("/") != issuer:
        raise SsoRefused(unchecked, f"issuer {id_token.get('iss')!r} is not {issuer!r}")
    if not hmac.compare_digest(
        str(id_token.get("nonce", "")).encode(), pending["nonce"].encode()
    ):
        raise SsoRefused(unchecked, "nonce does not match")
    claims = id_token.to_dict()
    if client.userinfo_endpoint:
        try:
            info = client.do_user_info_request(state=state)
        except Exception as error:  # noqa: BLE001
            raise SsoRefused(
                unchecked, f"userinfo: {type(error).__name__}: {error}"
            ) from None
        if isinstance(info, OpenIDSchema) and info.get("sub") == claims.get("sub"):
            extra = info.to_dict()
            extra.pop("sub", None)
            claims.update(extra)
    return plugin, claims


def _sso_users():
    return annotation(api.portal.get(), USERS_KEY, OOTreeSet)


def _groups(claims):
    value = claims.get(setting("sso_groups_claim") or "groups")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return set()
    return {item for item in value if isinstance(item, str)}


def _check_answer(request, pending):
    """Refuse an error answer, and one whose state is not this browser's login."""
    state = request.form.get("state")
    if request.form.get("error"):
        # Whatever its state: an error answer never logs anyone in.
        raise SsoRefused(
            _("The login was stopped at the login service."),
            f"provider answered {str(request.form.get('error'))[:100]}",
        )
    if (
        pending is None
        or not isinstance(state, str)
        or not hmac.compare_digest(state.encode(), pending["state"].encode())
    ):
        raise SsoRefused(
            _("This login is not valid (any more). Please start again."),
            "unknown, used or expired state",
        )


def _sync_roles(user_id, is_employee, named_teams):
    """The employee role follows the employee groups (None: not managed here),
    team memberships the named teams (None: not synced)."""
    if is_employee is not None:
        roles = set(api.user.get_roles(username=user_id, inherit=False))
        if is_employee and teams.EMPLOYEE_ROLE not in roles:
            api.user.grant_roles(username=user_id, roles=[teams.EMPLOYEE_ROLE])
        elif not is_employee and teams.EMPLOYEE_ROLE in roles:
            api.user.revoke_roles(username=user_id, roles=[teams.EMPLOYEE_ROLE])
    if named_teams is not None:
        current = {g.getId() for g in api.group.get_groups(username=user_id)}
        for team in teams.team_ids():
            if team in named_teams and team not in current:
                api.group.add_user(groupname=team, username=user_id)
            elif team not in named_teams and team in current:
                api.group.remove_user(groupname=team, username=user_id)


def finish(request):
    """Check the provider's answer and log the employee in; returns the next address.

    Raises SsoRefused, after which the caller must change nothing.
    """
    pending = _decode(request.cookies.get(COOKIE) or "")
    _forget_pending(request)  # one answer per login, good or bad
    _check_answer(request, pending)
    plugin, claims = _claims(request, pending)
    claim = setting("sso_userid_claim") or "sub"
    user_id = claims.get(claim)
    if not isinstance(user_id, str) or not USER_ID.match(user_id):
        raise SsoRefused(
            _("The login service gave no usable user name."),
            f"claim {claim!r} missing or not usable",
        )
    groups = _groups(claims)
    employee_groups = {g for g in (setting("sso_employee_groups") or []) if g}
    sync_teams = bool(setting("sso_sync_teams"))
    if not (employee_groups or sync_teams):
        # Without either, every account at the provider would become a member.
        raise SsoRefused(
            _(
                "Logging in with the organisation account is not set up "
                "completely. Ask the administrator."
            ),
            "no employee groups and no team sync in the settings",
            status=503,
        )
    is_employee = bool(groups & employee_groups)
    named_teams = {t for t in teams.team_ids() if t in groups} if sync_teams else set()
    if not (is_employee or named_teams):
        raise SsoRefused(
            _(
                "Your account may not log in here. Ask the administrator to add "
                "you to a group of counter employees."
            ),
            f"{user_id} is in no employee group or team",
        )
    if api.group.get(groupname=user_id) is not None:
        # Roles are kept per principal id: the user would share the group's.
        raise SsoRefused(
            _("There is already a Plone user with this name. Ask the administrator."),
            f"{user_id} is a group; not taken as a user name",
        )
    known = _sso_users()
    if (
        api.portal.get_tool("acl_users").getUserById(user_id) is not None
        and user_id not in known
    ):
        raise SsoRefused(
            _("There is already a Plone user with this name. Ask the administrator."),
            f"{user_id} is a local account; not taken over",
        )
    plugin.rememberIdentity(claims)  # creates or updates the user, sets __ac
    known.add(user_id)
    # No e-mail address in Plone (the plugin copies it): Plone's "forgot
    # password" would otherwise give the account a local password, which
    # would still work after the organisation ended the account.
    properties = {"email": ""}
    if isinstance(claims.get("name"), str) and claims["name"].strip():
        # The plugin makes a full name only from given and family name.
        properties["fullname"] = claims["name"].strip()[:200]
    api.user.get(userid=user_id).setMemberProperties(properties)
    _sync_roles(
        user_id,
        is_employee if employee_groups else None,
        named_teams if sync_teams else None,
    )
    logger.info(
        "employee %s logged in through SSO (employee group: %s, teams: %s)",
        user_id,
        is_employee,
        ", ".join(sorted(named_teams)) or "-",
    )
    return pending.get("came_from") or f"{api.portal.get().absolute_url()}/@@agenda"
