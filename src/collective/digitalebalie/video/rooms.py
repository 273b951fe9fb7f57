"""What Plone tells a browser to join an appointment's video room (Plone side)."""

from collective.digitalebalie import _
from collective.digitalebalie import credentials
from collective.digitalebalie import errors
from collective.digitalebalie import logger
from collective.digitalebalie import settings
from collective.digitalebalie import validation
from collective.digitalebalie.booking import links
from collective.digitalebalie.booking import store
from collective.digitalebalie.integrations import identification
from collective.digitalebalie.settings import setting
from collective.digitalebalie.video import notices
from collective.digitalebalie.video import providers
from collective.digitalebalie.video import tokens
from datetime import timedelta
from plone import api
import hashlib
import hmac


TOKEN_MINUTES = 10


def employee_participant(user_id):
    """An opaque participant id: citizens must not learn staff login names."""
    secret = credentials.get_secret("room_token_secret")
    digest = hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()
    return f"employee-{digest[:16]}"


def window(appointment):
    """(opens, closes) of the appointment's room, aware datetimes in UTC."""
    before = setting("room_opens_minutes_before", 15)
    after = setting("room_closes_minutes_after", 30)
    return (
        appointment.start - timedelta(minutes=before),
        appointment.end + timedelta(minutes=after),
    )


def ice_servers(participant):
    servers = []
    stun = [url for url in (setting("stun_urls", []) or []) if url]
    if stun:
        servers.append({"urls": stun})
    turn = [url for url in (setting("turn_urls", []) or []) if url]
    secret = credentials.get_secret("turn_secret")
    if turn and secret:
        minutes = setting("turn_credential_minutes", 120)
        username, credential = tokens.turn_credentials(
            secret, participant, ttl=minutes * 60
        )
        servers.append({"urls": turn, "username": username, "credential": credential})
    return servers


class IdentificationRequired(errors.UserError):
    type = "IdentificationRequired"
    status = 403


def join_info(appointment, role, participant, name, now=None):
    """The answer of the video services, or raise a BookingError."""
    state = api.content.get_state(appointment)
    if state not in ("booked", "in_progress") or appointment.channel != "video":
        raise errors.NotFound(_("This appointment has no video room."))
    now = now or settings.now_utc()
    opens, closes = window(appointment)
    tz = settings.site_timezone()
    if role != "employee" and (now < opens or now > closes):
        if now < opens:
            message = _(
                "The video room opens at ${time} on ${date}.",
                mapping={
                    "time": opens.astimezone(tz).strftime("%H:%M"),
                    "date": settings.date_in_words(opens.astimezone(tz).date()),
                },
            )
        else:
            message = _("The video room of this appointment is closed.")
        raise RoomClosed(message, opens=opens, closes=closes)
    if role == "citizen":
        product = store.product_of(appointment)
        schemes = identification.schemes(appointment, product)
        if schemes and identification.identity_of(appointment) is None:
            raise IdentificationRequired(
                {
                    ("digid",): _(
                        "First log in with DigiD. Then you can join the video call."
                    ),
                    ("eherkenning",): _(
                        "First log in with eHerkenning. Then you can join the video call."
                    ),
                }.get(
                    schemes,
                    _(
                        "First log in with DigiD or eHerkenning. Then you can join "
                        "the video call."
                    ),
                )
            )
    room = appointment.getId()
    provider = setting("video_provider", "builtin") or "builtin"
    info = {
        "provider": provider,
        "room": room,
        "role": role,
        "participant": participant,
        "opens": opens.astimezone(tz).isoformat(),
        "closes": closes.astimezone(tz).isoformat(),
    }
    if provider == "builtin":
        info.update(builtin_info(room, participant, role, name))
    else:
        info[provider] = engine_info(provider, room, participant, role, name)
    return info


def builtin_info(room, participant, role, name):
    # Short-lived: a page fetches a new token for every (re)connection, so a
    # cancelled appointment's old token soon stops admitting anyone.
    secret = credentials.get_secret("room_token_secret")
    return {
        "signal_url": f"{setting('room_server_url', '').rstrip('/')}/{room}",
        "token": tokens.mint(
            secret,
            room=room,
            participant=participant,
            role=role,
            name=name,
            ttl=TOKEN_MINUTES * 60,
        ),
        "ice_servers": ice_servers(participant),
    }


def engine_info(provider, room, participant, role, name):
    """What the page needs to embed Jitsi Meet or LiveKit for this person."""
    employee = role == "employee"
    try:
        if provider == "jitsi":
            url = (setting("jitsi_url", "") or "").rstrip("/")
            domain = providers.jitsi_domain(url)
            return {
                "domain": domain,
                "script": f"{url}/external_api.js",
                "room": providers.jitsi_room(room),
                "name": name,
                "jwt": providers.jitsi_token(
                    app_id=setting("jitsi_app_id", ""),
                    secret=credentials.get_secret("jitsi_app_secret"),
                    audience=setting("jitsi_audience", "") or "jitsi",
                    domain=providers.jitsi_subject(
                        url, setting("jitsi_subject", "") or ""
                    ),
                    room=room,
                    participant=participant,
                    name=name,
                    moderator=employee,
                    ttl=TOKEN_MINUTES * 60,
                ),
            }
        if provider == "livekit":
            server = setting("livekit_url", "") or ""
            meet = setting("livekit_meet_url", "") or ""
            if not (server and meet):
                raise ValueError("LiveKit needs the server and Meet addresses.")
            token = providers.livekit_token(
                api_key=setting("livekit_api_key", ""),
                api_secret=credentials.get_secret("livekit_api_secret"),
                room=room,
                participant=participant,
                name=name,
                admin=employee,
                ttl=TOKEN_MINUTES * 60,
            )
            return {
                "url": server,
                "token": token,
                "page": providers.livekit_meet_url(meet, server, token),
            }
    except ValueError as error:
        logger.error("The video engine %s is not set up: %s", provider, error)
    raise VideoUnavailable(
        _("The video call cannot start now. Please call us, or try again later.")
    )


# A page that cannot reach the room server asks Plone this often for its parts.
POLL_SECONDS = 15


def desk_info(appointment, role, participant):
    """How an appointment page follows its room: the room server pushes ``update``
    (and, to staff, who waits); without it the page polls every POLL_SECONDS.

    A watch token only watches (tokens.py): it never lets anyone into the call,
    so it is given at any time, also before the room opens. It carries no name.
    """
    info = {"poll_seconds": POLL_SECONDS, "watch": None}
    base = (setting("room_server_url", "") or "").strip().rstrip("/")
    secret = credentials.get_secret("room_token_secret")
    if not (base and secret) or api.content.get_state(appointment) == "cancelled":
        return info
    room = appointment.getId()
    info["watch"] = {
        "url": f"{base}/{room}",
        "token": tokens.mint(
            secret,
            room=room,
            participant=participant,
            role=role,
            ttl=TOKEN_MINUTES * 60,
            watch=True,
        ),
    }
    return info


def queue_watch_info(product, role, participant):
    """How a page follows a product's walk-in queue (the citizen's, the agenda):
    a watch token for the queue's path on the room server (no name in it), or
    polling only."""
    info = {"poll_seconds": QUEUE_POLL_SECONDS, "watch": None}
    base = (setting("room_server_url", "") or "").strip().rstrip("/")
    secret = credentials.get_secret("room_token_secret")
    if not (base and secret):
        return info
    room = notices.queue_room(product)
    info["watch"] = {
        "url": f"{base}/{room}",
        "token": tokens.mint(
            secret,
            room=room,
            participant=participant,
            role=role,
            ttl=TOKEN_MINUTES * 60,
            watch=True,
        ),
    }
    return info


# Without the room server a queue page asks this often (it also shows that the
# citizen is still there, see walkin/queue.py).
QUEUE_POLL_SECONDS = 10


class VideoUnavailable(errors.UserError):
    type = "VideoUnavailable"
    status = 503


class RoomClosed(errors.UserError):
    type = "RoomClosed"
    status = 403

    def __init__(self, message, opens=None, closes=None):
        super().__init__(message)
        self.opens = opens
        self.closes = closes


GUESTS_KEY = links.GUESTS_KEY


def invite_guest(appointment, name):
    """A guest link for one person (an interpreter, a colleague): (token, guest)."""
    state = api.content.get_state(appointment)
    if state not in ("booked", "in_progress"):
        raise errors.WrongState(_("This appointment has no video room."))
    try:
        # A name too long is cut, as the room shows it on one line.
        name = validation.name(name, max_length=None)[:100]
    except validation.Refused as error:
        raise errors.InvalidInput(
            _("Fill in the name of the guest."), {"name": error.message}
        ) from None
    if not name:
        raise errors.InvalidInput(
            _("Fill in the name of the guest."), {"name": _("Fill in a name.")}
        )
    invited = links.add_guest(appointment, name)
    notices.changed(appointment, "guests")
    return invited


find_guest = links.find_guest


# --- notices to the room server (notices.py) ---------------------------------------

notice_url = notices.notice_url
send_notice = notices.send_notice
notify_room_server = notices.notify_room_server


def revoke(appointment):
    """A cancelled appointment's room: its tokens stop admitting, its sockets close."""
    return notify_room_server(appointment.getId(), "revoke")
