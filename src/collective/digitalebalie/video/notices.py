"""What Plone tells the room server about a room, after the change is committed.

Two kinds of notice (the room server's side: server.py):

- ``revoke``: the appointment is cancelled; its room stops admitting.
- ``update``: something on the appointment's pages changed (a payment asked or
  paid, a document sent or shown, an identification, a workflow step, ...).
  The room server passes ``{"type": "update", "parts": [...]}`` to everybody
  connected to that room, who then fetch the changed parts from Plone. The
  notice names parts, never what is in them: no personal data travels this way.

``changed(appointment, "payments")`` is what the rest of the add-on calls: it
collects the parts changed in this transaction and sends one notice per room
after the commit (none on abort). A room server that cannot be reached loses
nothing: the pages also poll slowly, and refetch when they reconnect.
"""

from collective.digitalebalie import credentials
from collective.digitalebalie import logger
from collective.digitalebalie import multilingual
from collective.digitalebalie.settings import setting
from collective.digitalebalie.video import tokens
from collective.digitalebalie.video.connections import QUEUE_PREFIX
import re
import transaction
import urllib.parse
import urllib.request


NOTICE_TIMEOUT = 5  # seconds: a change must not hang long on a room server that is down
# The parts of the appointment pages that can change (the pages' data-desk-part).
PARTS = (
    "state",  # the appointment's workflow state, assignee, outcome note
    "payments",
    "documents",  # sent by the citizen or the employee, shown in the call
    "identification",
    "guests",
    "dossier",  # the dossier's state and notes (employee side)
)
PART_NAME = re.compile(r"^[a-z_]{1,32}$")


def notice_url(room):
    """Where the room server takes notices about ``room``: the room's own path, over
    HTTP(S), so a balancer that routes rooms by path brings it to the right process."""
    base = (setting("room_server_url", "") or "").strip().rstrip("/")
    scheme, _sep, rest = base.partition("://")
    scheme = {"ws": "http", "wss": "https"}.get(scheme.lower(), scheme.lower())
    if scheme not in ("http", "https") or not rest:
        return None
    return f"{scheme}://{rest}/{urllib.parse.quote(room, safe='')}"


# No proxy: the room server is part of this installation.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def send_notice(url, secret, room, kind, data):
    """POST one signed notice now; True when the room server took it. Never raises."""
    body, signature = tokens.notice(secret, room=room, kind=kind, **data)
    request = urllib.request.Request(  # noqa: S310 - http(s) only, see notice_url
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", tokens.NOTICE_HEADER: signature},
    )
    try:
        with _opener.open(request, timeout=NOTICE_TIMEOUT) as response:
            response.read()
        return True
    except (OSError, ValueError) as error:
        # Not fatal: the change is committed; the room server only learns it late
        # (a revoked room's tokens expire within minutes anyway; the pages poll).
        logger.warning(
            "The room server did not take the %s notice for room %s: %s",
            kind,
            room,
            getattr(error, "reason", None) or type(error).__name__,
        )
        return False


def _after_commit(committed, url, secret, room, kind, data):
    if committed:
        send_notice(url, secret, room, kind, data)


def notify_room_server(room, kind, **data):
    """Tell the room server ``kind`` about ``room`` once this transaction commits.

    Nothing is sent when the transaction aborts or fails to commit. ``data`` is
    JSON the room server passes on or acts on: no personal data, no secrets.
    The notice's time is taken when it is sent, after the commit.
    """
    url = notice_url(room)
    secret = credentials.get_secret("room_token_secret")
    if not (url and secret):
        return False
    transaction.get().addAfterCommitHook(
        _after_commit, args=(url, secret, room, kind, data)
    )
    return True


class _Changes:
    """This transaction's changed parts, per room: sent once, after the commit."""

    def __init__(self, secret):
        self.secret = secret
        self.rooms = {}  # room -> (notice url, [parts])

    def __call__(self, committed):
        if not committed:
            return
        for room, (url, parts) in self.rooms.items():
            send_notice(url, self.secret, room, "update", {"parts": parts})


_KEY = _Changes  # the key of this module's data on a transaction


def changed(appointment, *parts):
    """The pages of ``appointment`` (an object or its id) show ``parts`` anew.

    Every appointment has a room on the room server for this, whatever its
    channel: a citizen on the phone sees the payment asked as quickly as one in
    a video call. Returns whether a notice will be sent after the commit.
    """
    room = appointment if isinstance(appointment, str) else appointment.getId()
    for part in parts:
        if part not in PARTS:
            raise ValueError(f"unknown part of the appointment pages: {part}")
    return _collect(room, parts)


def _collect(room, parts):
    """Note the room's changed parts in this transaction; one notice a room
    goes after the commit. False when there is no room server to tell."""
    url = notice_url(room)
    secret = credentials.get_secret("room_token_secret")
    if not (url and secret):
        return False
    txn = transaction.get()
    try:
        changes = txn.data(_KEY)
    except KeyError:
        changes = _Changes(secret)
        txn.set_data(_KEY, changes)
        txn.addAfterCommitHook(changes)
    _url, known = changes.rooms.setdefault(room, (url, []))
    known.extend(part for part in parts if part not in known)
    return True


QUEUE_PART = "queue"


def queue_room(product):
    """The room server path that the pages of a product's walk-in queue watch:
    one for all its translations, which share the queue (walkin.queue.home)."""
    return f"{QUEUE_PREFIX}{multilingual.canonical(product).UID()}"


def queue_changed(product):
    """The product's walk-in queue changed: its watchers (the citizens waiting,
    the agenda of its teams) ask Plone again, after the commit.

    Routed by the product (the queue's own path), so in a cluster one room
    server process holds all watchers of one queue.
    """
    return _collect(queue_room(product), (QUEUE_PART,))
