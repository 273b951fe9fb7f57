"""The same request twice does its work once.

A page names each change it sends with a random key: the ``Idempotency-Key``
header (as in the IETF draft of that name) or ``request_id`` in the JSON body.
A second request with that key within ``KEEP`` (a second click while the
first runs, a retry after a lost answer) gets the first one's result and
changes nothing. The same key with other input is refused (422): it is a
mistake of the page, not a repetition.

The keys are kept on the object changed, in one persistent mapping: two
requests with one key at the same moment both write it, so ZODB raises a
ConflictError for one of them, Zope retries that one, and the retry finds
the first one's result.
"""

from collective.digitalebalie import _
from collective.digitalebalie.errors import InvalidInput
from collective.digitalebalie.errors import UserError
from collective.digitalebalie.storage import annotation
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from persistent.mapping import PersistentMapping
from zope.annotation.interfaces import IAnnotations
import hashlib
import json
import re


ANNOTATION = "collective.digitalebalie.idempotency-keys"
HEADER = "Idempotency-Key"
KEEP = timedelta(minutes=10)
VALID = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")


class KeyReused(UserError):
    type = "IdempotencyKeyReused"
    status = 422


def key_of(request, data):
    """The request's key, or None when it has none; a bad key is a 400."""
    header = request.getHeader(HEADER)
    if header is not None:
        header = header.strip().strip('"')  # also as a structured-field string
    body = data.get("request_id")
    if header is None and body is None:
        return None
    key = header if header is not None else body
    if not isinstance(key, str) or not VALID.match(key) or body not in (None, key):
        message = _(
            "The request id must be 8 to 100 letters, digits or . _ : - "
            "(and the same in the header and the body)."
        )
        raise InvalidInput(message, {"request_id": message})
    return key


def _fingerprint(action, data):
    text = json.dumps([action, data], sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def earlier(context, key, action, data, now=None):
    """What the first request with ``key`` on ``context`` gave, or None."""
    if key is None:
        return None
    records = IAnnotations(context).get(ANNOTATION) or {}
    record = records.get(key)
    now = now or datetime.now(UTC)
    if record is None or record["at"] < now - KEEP:
        return None
    if record["fingerprint"] != _fingerprint(action, data):
        raise KeyReused(
            _("This request id was used for another change. Send a new one.")
        )
    return record["result"]


def remember(context, key, action, data, result, now=None):
    """Keep ``result`` for later requests with ``key``; forget keys past ``KEEP``."""
    if key is None:
        return
    now = now or datetime.now(UTC)
    records = annotation(context, ANNOTATION, PersistentMapping)
    for old in [k for k, record in records.items() if record["at"] < now - KEEP]:
        del records[old]
    records[key] = {
        "at": now,
        "fingerprint": _fingerprint(action, data),
        "result": result,
    }
